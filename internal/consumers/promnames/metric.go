package promnames

// Instrument is a metric's OTLP data type.
type Instrument int

const (
	InstrumentUnspecified Instrument = iota
	Gauge
	Sum
	Histogram
	ExponentialHistogram
	Summary
)

func (i Instrument) String() string {
	switch i {
	case Gauge:
		return "gauge"
	case Sum:
		return "sum"
	case Histogram:
		return "histogram"
	case ExponentialHistogram:
		return "exponential_histogram"
	case Summary:
		return "summary"
	}
	return "unspecified"
}

// Source is where an attribute is carried: on the resource, the
// instrumentation scope or the data point.
type Source int

const (
	SourceUnspecified Source = iota
	Resource
	Scope
	DataPoint
)

func (s Source) String() string {
	switch s {
	case Resource:
		return "resource"
	case Scope:
		return "scope"
	case DataPoint:
		return "data_point"
	}
	return "unspecified"
}

// Attribute is one attribute key of a metric and where it is carried.
type Attribute struct {
	Key    string
	Source Source
}

// Temporality is a sum's or a histogram's aggregation temporality.
type Temporality int

const (
	TemporalityUnspecified Temporality = iota
	Delta
	Cumulative
)

// Metric is what the index needs of one schema of the catalog: the metric
// key as sent, its unit and data type, and its attribute keys. Several
// schemas of one key (releases that diverge) may be given; those that agree
// on unit and type are merged, their attributes pooled.
type Metric struct {
	Key        string
	Unit       string
	Instrument Instrument
	// Monotonic is a sum's: a monotonic sum is a counter, named with
	// `_total`; a non-monotonic one is a gauge to Prometheus.
	Monotonic bool
	// Temporality does not change a name: every exporter, and Prometheus'
	// OTLP endpoint when it takes deltas, names a delta sum as it names the
	// cumulative one. It is kept for the callers that judge a query's
	// functions against it.
	Temporality Temporality
	Attributes  []Attribute
}

// Options tune the index to the exporters a fleet uses.
type Options struct {
	// Namespaces are the prefixes exporters are configured with (the
	// Collector's prometheus exporter `namespace`, the SDK's
	// WithNamespace). Names without a prefix are always indexed.
	Namespaces []string
}
