package forward

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// The catalog's messages. An entry's message is rebuilt when the entry is
// sent, and a batch's messages are held until the catalog acknowledges the
// batch: while it catches up with many new pairs (a fleet starting, the
// loopback benchmark's warm-up), that is a batch of MaxBatch observations
// held for seconds, and retried as it is. So the messages of a batch share
// what their observations have in common, built once for the batch: a
// shape's data point attribute keys (the same for every producer of the
// shape), a producer's identity, its resource attribute keys and their
// figures (the producer's resource values, the same on each of its
// observations), and a scope's attribute keys. Each message keeps its own
// counts, times and data point figures. A protobuf message may be a part
// of several: marshalling only reads them, and nothing changes a message
// once its batch is built.

// batchMessages builds the messages of one batch. The zero value is ready.
type batchMessages struct {
	shapes    map[string]batchShape // by canonical encoding
	producers map[*producerRef]*tallycatv1.ProducerIdentity
	attrSets  map[attrSetID][]*tallycatv1.AttributeKey
	resources map[resourceID][]*tallycatv1.FieldFigures
}

// batchShape is a shape read back from its canonical encoding, with its
// data point attribute keys as messages.
type batchShape struct {
	shape schemaid.Shape
	keys  []*tallycatv1.AttributeKey
}

// attrSetID is an attribute set by its memory: inference interns resource
// and scope attribute sets, so every observation of a set holds the same
// slice. Sets in different memory are different keys, which only costs a
// copy.
type attrSetID struct {
	first *schemaid.Attribute
	n     int
}

func attrSetOf(attrs []schemaid.Attribute) attrSetID {
	if len(attrs) == 0 {
		return attrSetID{}
	}
	return attrSetID{first: &attrs[0], n: len(attrs)}
}

// resourceID is a producer's resource figures under one set of resource
// attribute keys.
type resourceID struct {
	producer *producerRef
	attrs    attrSetID
}

// message is the message of the entry with key k, with no counts, times
// or figures: take fills them in.
func (b *batchMessages) message(k key, e *entry) (*tallycatv1.Observation, error) {
	sh, ok := b.shapes[e.canonical]
	if !ok {
		shape, err := schemaid.ParseCanonical(e.canonical)
		if err != nil {
			return nil, err
		}
		sh = batchShape{shape: shape, keys: shapeKeys(&shape)}
		if b.shapes == nil {
			b.shapes = map[string]batchShape{}
		}
		b.shapes[e.canonical] = sh
	}
	msg := &tallycatv1.Observation{
		Description:         e.description,
		DataPointAttributes: sh.keys,
		Producer:            b.producer(k.producer),
		ScopeName:           k.scope.name, ScopeVersion: k.scope.version,
		ResourceAttributes: b.attrKeys(e.resAttrs),
		ScopeAttributes:    b.attrKeys(e.scopeAttrs),
	}
	setShape(msg, &sh.shape, nil)
	return msg, nil
}

// attributes is the data point attributes of a shape whose message was
// built.
func (b *batchMessages) attributes(canonical string) []schemaid.Attribute {
	return b.shapes[canonical].shape.Attributes
}

func (b *batchMessages) producer(p *producerRef) *tallycatv1.ProducerIdentity {
	id := b.producers[p]
	if id == nil {
		id = producerIdentity(p.p)
		if b.producers == nil {
			b.producers = map[*producerRef]*tallycatv1.ProducerIdentity{}
		}
		b.producers[p] = id
	}
	return id
}

func (b *batchMessages) attrKeys(attrs []schemaid.Attribute) []*tallycatv1.AttributeKey {
	if len(attrs) == 0 {
		return nil
	}
	id := attrSetOf(attrs)
	ks, ok := b.attrSets[id]
	if !ok {
		ks = keys(attrs)
		if b.attrSets == nil {
			b.attrSets = map[attrSetID][]*tallycatv1.AttributeKey{}
		}
		b.attrSets[id] = ks
	}
	return ks
}

// resourceFigures is the figures of an entry's producer's resource values
// under the entry's resource attribute keys (msg's, from attrs), or none
// when the producer's values are not of those keys.
func (b *batchMessages) resourceFigures(p *producerRef, attrs []schemaid.Attribute, msg *tallycatv1.Observation) []*tallycatv1.FieldFigures {
	if len(p.res) == 0 || len(p.res) != len(msg.ResourceAttributes) {
		return nil
	}
	id := resourceID{producer: p, attrs: attrSetOf(attrs)}
	ff, ok := b.resources[id]
	if !ok {
		ff = resourceFigures(msg.ResourceAttributes, p.res)
		if b.resources == nil {
			b.resources = map[resourceID][]*tallycatv1.FieldFigures{}
		}
		b.resources[id] = ff
	}
	return ff
}

// toProto is the catalog's message for an observation, with placeholder
// times and no counts: what the forwarder checks against the catalog's
// rules when the observation is new.
func toProto(o *ingest.Observation) *tallycatv1.Observation {
	msg := &tallycatv1.Observation{
		Description:         o.Description,
		DataPointAttributes: shapeKeys(&o.Shape),
		Producer:            producerIdentity(o.Producer),
		ScopeName:           o.ScopeName, ScopeVersion: o.ScopeVersion,
		ResourceAttributes: keys(o.ResourceAttributes),
		ScopeAttributes:    keys(o.ScopeAttributes),
		// Times are set when sent; these placeholders satisfy validation.
		FirstObserved: timestamppb.New(time.Unix(0, 0)), LastObserved: timestamppb.New(time.Unix(0, 0)),
	}
	setShape(msg, &o.Shape, o.NameExamples)
	return msg
}

// setShape fills in a message's metric name, type, unit, temporality and
// monotonicity, or a span's or a log's part in their place.
func setShape(msg *tallycatv1.Observation, sh *schemaid.Shape, nameExamples []string) {
	if sh.Signal == schemaid.Metric {
		msg.MetricName, msg.MetricType, msg.Unit, msg.Temporality, msg.Monotonic = sh.Name, sh.Type, sh.Unit, sh.Temporality, sh.Monotonic
		return
	}
	signalToProto(msg, sh, nameExamples)
}

func producerIdentity(p ingest.Producer) *tallycatv1.ProducerIdentity {
	return &tallycatv1.ProducerIdentity{
		ServiceName: p.ServiceName, ServiceNamespace: p.ServiceNamespace,
		ServiceVersion: p.ServiceVersion, ServiceInstanceId: p.ServiceInstanceID,
	}
}

// shapeKeys is a shape's data point attribute keys, a span's or a log's
// with their sources and event names.
func shapeKeys(sh *schemaid.Shape) []*tallycatv1.AttributeKey {
	out := keys(sh.Attributes)
	if sh.Signal != schemaid.Metric {
		for i, a := range sh.Attributes {
			out[i].Source, out[i].EventName = schemaid.APISource(sh.Signal, a.Source), a.Event.String()
		}
	}
	return out
}

// keys is attribute keys as messages, made in one allocation.
func keys(attrs []schemaid.Attribute) []*tallycatv1.AttributeKey {
	if len(attrs) == 0 {
		return nil
	}
	out := make([]*tallycatv1.AttributeKey, len(attrs))
	all := make([]tallycatv1.AttributeKey, len(attrs))
	for i, a := range attrs {
		k := &all[i]
		k.Name, k.ValueType = a.Key, a.Type
		out[i] = k
	}
	return out
}
