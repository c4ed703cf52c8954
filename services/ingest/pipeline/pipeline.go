// Package pipeline joins inference and forwarding into the ingest.Consumer
// the OTLP receivers feed.
package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/forward"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// Pipeline infers the shapes of a request and hands them to the forwarder.
type Pipeline struct {
	Inferrer  *infer.Inferrer
	Forwarder *forward.Forwarder
	// Instruments, when set, count requests and data points.
	Instruments *Instruments
}

var _ ingest.Consumer = (*Pipeline)(nil)

// Consume implements ingest.Consumer for every signal. When the forwarder
// cannot take the request's new shapes it takes nothing and says so, so that
// the sender retries the whole request.
func (p *Pipeline) Consume(ctx context.Context, req ingest.Request) (ingest.Result, error) {
	start := time.Now()
	res, err := p.consume(ctx, req)
	if in := p.Instruments; in != nil {
		result := resultOK
		switch {
		case errors.Is(err, ingest.ErrMalformed):
			result = resultMalformed
		case err != nil:
			result = resultOverloaded
		case res.Rejected > 0:
			result = resultPartial
		}
		sig := signalIndex(req.Signal)
		in.requests.Add(ctx, 1, resultSets[sig][result])
		in.duration.Record(ctx, time.Since(start).Seconds(), resultSets[sig][result])
		in.points.Add(ctx, res.DataPoints, outcomeSets[sig][outcomeAccepted])
		if res.Rejected > 0 {
			in.points.Add(ctx, res.Rejected, outcomeSets[sig][outcomeRejected])
		}
	}
	return res, err
}

func (p *Pipeline) consume(ctx context.Context, req ingest.Request) (ingest.Result, error) {
	if err := ctx.Err(); err != nil {
		return ingest.Result{}, err
	}
	res, err := p.Inferrer.Request(req)
	if err != nil {
		return ingest.Result{}, err
	}
	refused, err := p.Forwarder.Add(res.Observations, time.Now())
	// The forwarder keeps nothing of the observations: their memory can
	// serve another request.
	p.Inferrer.Recycle(res)
	res.Observations, res.Points = nil, nil
	if err != nil {
		return ingest.Result{}, err
	}
	if refused.Rejected > 0 || len(refused.Reasons) > 0 {
		res.DataPoints -= refused.Rejected
		for _, r := range refused.Reasons {
			res.Reject(0, "%s", r)
		}
		res.Rejected += refused.Rejected
	}
	return res, nil
}
