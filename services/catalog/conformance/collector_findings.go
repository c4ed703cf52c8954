package conformance

import "context"

// CollectorConfig writes the Collector processors enforcing the judge's
// policies (see CollectorConfig); with opts.CardinalityCaps, also the caps
// the current findings say were broken.
func (x *Findings) CollectorConfig(ctx context.Context, opts CollectorOptions) ([]byte, error) {
	var found []Finding
	if opts.CardinalityCaps && hasCaps(x.Judge.Policies) {
		var err error
		if found, _, err = x.List(ctx, FindingFilter{FindingIDs: []string{FindingPolicyViolation}}); err != nil {
			return nil, err
		}
	}
	return CollectorConfig(x.Judge.Policies, found, opts)
}

func hasCaps(rules []PolicyRule) bool {
	for _, r := range rules {
		if r.MaxDistinct != nil {
			return true
		}
	}
	return false
}
