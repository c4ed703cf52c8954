package promql

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// Analysis is what one expression reads.
type Analysis struct {
	// Selectors are the expression's selectors in the order written, with
	// `info()`'s implicit `target_info` after the ones of its call.
	Selectors []Selector `json:"selectors"`
}

// ParseError is an expression that does not parse: the parser's message
// and where in the expression it stopped, as a byte offset.
type ParseError struct {
	Pos int
	Msg string
}

func (e *ParseError) Error() string { return e.Msg }

// prom is shared: a parser holds only its options, and each ParseExpr
// builds its own state, so one serves concurrent callers.
var prom = parser.NewParser(parser.Options{
	EnableExperimentalFunctions: true,
	EnableBinopFillModifiers:    true,
	EnableUnquotedUTF8Names:     true,
})

// Analyze parses expr and says, per selector, what it reads. An expression
// that does not parse returns a *ParseError and no selectors: a partial
// tree would name metrics the query may not read.
func Analyze(expr string) (Analysis, error) {
	if strings.TrimSpace(expr) == "" {
		return Analysis{}, &ParseError{Msg: "empty expression"}
	}
	node, err := prom.ParseExpr(expr)
	if err != nil {
		var errs parser.ParseErrors
		if errors.As(err, &errs) && len(errs) > 0 {
			return Analysis{}, &ParseError{Pos: int(errs[0].PositionRange.Start), Msg: err.Error()}
		}
		return Analysis{}, &ParseError{Msg: err.Error()}
	}
	a := analyzer{expr: expr}
	a.walk(node, scope{open: true})
	return Analysis{Selectors: a.out}, nil
}

type analyzer struct {
	expr string
	out  []Selector
}

// scope is what the expressions enclosing a node do with its labels.
type scope struct {
	open     bool       // its series reach the result with their labels
	all      bool       // a binary operation matches on all its labels
	uses     []LabelUse // labels the enclosing expressions use
	funcs    []string   // enclosing functions, outermost first
	aggs     []string   // enclosing aggregations, outermost first
	infoData bool       // the node is info()'s data-label selector
}

func (sc scope) with(uses ...LabelUse) scope {
	sc.uses = append(slices.Clip(sc.uses), uses...)
	return sc
}

// keepOnly keeps the pending uses of the given labels only.
func (sc scope) keepOnly(labels []string) scope {
	var kept []LabelUse
	for _, u := range sc.uses {
		if slices.Contains(labels, u.Label) {
			kept = append(kept, u)
		}
	}
	sc.uses = kept
	return sc
}

// rename makes the pending uses of label dst, which a function below them
// writes, uses of the labels it is written from.
func (sc scope) rename(dst string, srcs []string) scope {
	var out []LabelUse
	for _, u := range sc.uses {
		if u.Label != dst {
			out = append(out, u)
			continue
		}
		for _, s := range srcs {
			out = append(out, LabelUse{Label: s, Use: u.Use})
		}
	}
	sc.uses = out
	return sc
}

func uses(labels []string, use Use) []LabelUse {
	out := make([]LabelUse, 0, len(labels))
	for _, l := range labels {
		out = append(out, LabelUse{Label: l, Use: use})
	}
	return out
}

func (a *analyzer) walk(n parser.Node, sc scope) {
	switch n := n.(type) {
	case *parser.VectorSelector:
		a.selector(n, sc)
	case *parser.MatrixSelector:
		a.walk(n.VectorSelector, sc)
	case *parser.SubqueryExpr:
		a.walk(n.Expr, sc)
	case *parser.ParenExpr:
		a.walk(n.Expr, sc)
	case *parser.StepInvariantExpr:
		a.walk(n.Expr, sc)
	case *parser.UnaryExpr:
		a.walk(n.Expr, sc)
	case *parser.AggregateExpr:
		a.aggregate(n, sc)
	case *parser.BinaryExpr:
		a.binary(n, sc)
	case *parser.Call:
		a.call(n, sc)
	}
}

func (a *analyzer) aggregate(n *parser.AggregateExpr, sc scope) {
	op := n.Op.String()
	if n.Param != nil {
		a.walk(n.Param, scope{})
	}
	child := sc
	child.aggs = append(slices.Clip(sc.aggs), op)
	if n.Op == parser.COUNT_VALUES {
		// count_values writes the label its parameter names: it is not one
		// of the selector's.
		if s, ok := n.Param.(*parser.StringLiteral); ok {
			child = child.rename(s.Val, nil)
		}
	}
	switch {
	case n.Without:
		child = child.with(uses(n.Grouping, UseWithout)...)
	case keepsSeries(n.Op):
		// topk and its kind return their input series as they are.
		child = child.with(uses(n.Grouping, UseBy)...)
	default:
		// Every other aggregation returns the grouping labels only: what
		// encloses it sees no other label, matching included.
		child = child.keepOnly(n.Grouping).with(uses(n.Grouping, UseBy)...)
		child.open, child.all = false, false
	}
	a.walk(n.Expr, child)
}

func keepsSeries(op parser.ItemType) bool {
	switch op {
	case parser.TOPK, parser.BOTTOMK, parser.LIMITK, parser.LIMIT_RATIO:
		return true
	}
	return false
}

func (a *analyzer) binary(n *parser.BinaryExpr, sc scope) {
	vm := n.VectorMatching
	if vm == nil || n.LHS.Type() != parser.ValueTypeVector || n.RHS.Type() != parser.ValueTypeVector {
		a.walk(n.LHS, sc)
		a.walk(n.RHS, sc)
		return
	}
	match := UseIgnoring
	if vm.On {
		match = UseOn
	}
	left, right := sc, sc
	// Without on(...), the sides match on every label but the ignored ones.
	left.all, right.all = !vm.On, !vm.On
	switch vm.Card {
	case parser.CardOneToOne:
		if vm.On {
			left.open, right.open = false, false
		}
	case parser.CardManyToOne, parser.CardOneToMany:
		many, one := &left, &right
		if vm.Card == parser.CardOneToMany {
			many, one = &right, &left
		}
		// The "one" side gives the result only the labels it matches on
		// and the ones group_left/right copies; the "many" side gives the
		// rest.
		*one = one.keepOnly(append(slices.Clip(vm.Include), vm.MatchingLabels...)).with(uses(vm.Include, UseInclude)...)
		one.open = false
		for _, l := range vm.Include {
			*many = many.rename(l, nil)
		}
	case parser.CardManyToMany:
		// and, unless: the result is the left side's series; the right
		// side is only matched. or: both sides' series are the result.
		if n.Op != parser.LOR {
			right = right.keepOnly(vm.MatchingLabels)
			right.open = false
		}
	}
	left = left.with(uses(vm.MatchingLabels, match)...)
	right = right.with(uses(vm.MatchingLabels, match)...)
	a.walk(n.LHS, left)
	a.walk(n.RHS, right)
}

func stringArg(args parser.Expressions, i int) (string, bool) {
	if i >= len(args) {
		return "", false
	}
	s, ok := args[i].(*parser.StringLiteral)
	if !ok {
		return "", false
	}
	return s.Val, true
}

func (a *analyzer) call(n *parser.Call, sc scope) {
	name := n.Func.Name
	child := sc
	child.funcs = append(slices.Clip(sc.funcs), name)
	args := n.Args
	switch name {
	case "label_replace":
		dst, _ := stringArg(args, 1)
		src, ok := stringArg(args, 3)
		if ok && len(args) > 0 {
			a.walk(args[0], child.rename(dst, []string{src}).with(LabelUse{Label: src, Use: UseFunction}))
		}
		return
	case "label_join":
		dst, _ := stringArg(args, 1)
		var srcs []string
		for i := 3; i < len(args); i++ {
			if s, ok := stringArg(args, i); ok {
				srcs = append(srcs, s)
			}
		}
		if len(args) > 0 {
			a.walk(args[0], child.rename(dst, srcs).with(uses(srcs, UseFunction)...))
		}
		return
	case "sort_by_label", "sort_by_label_desc":
		var ls []string
		for i := 1; i < len(args); i++ {
			if s, ok := stringArg(args, i); ok {
				ls = append(ls, s)
			}
		}
		if len(args) > 0 {
			a.walk(args[0], child.with(uses(ls, UseFunction)...))
		}
		return
	case "histogram_quantile", "histogram_fraction":
		for i, arg := range args {
			if i == len(args)-1 {
				a.walk(arg, child.with(LabelUse{Label: "le", Use: UseFunction}))
			} else {
				a.walk(arg, scope{})
			}
		}
		return
	case "scalar":
		child.open, child.all = false, false
	case "info":
		a.info(n, child)
		return
	}
	for _, arg := range args {
		a.walk(arg, child)
	}
}

// info joins target_info (or the info metrics its second argument names)
// on job and instance and adds their data labels to the first argument's
// series. Without a second argument every data label is added, so the
// implicit target_info selector uses all its labels.
func (a *analyzer) info(n *parser.Call, sc scope) {
	if len(n.Args) == 0 {
		return
	}
	identifying := uses([]string{"job", "instance"}, UseOn)
	a.walk(n.Args[0], sc.with(identifying...))
	data := sc.with(identifying...)
	data.open = false
	if len(n.Args) > 1 {
		data.infoData = true
		a.walk(n.Args[1], data)
		return
	}
	a.out = append(a.out, Selector{
		Name:         "target_info",
		Implicit:     true,
		Labels:       dedupe(data.uses),
		AllLabels:    true,
		Functions:    reversed(data.funcs),
		Aggregations: reversed(data.aggs),
	})
}

func (a *analyzer) selector(n *parser.VectorSelector, sc scope) {
	s := Selector{
		Start: int(n.PosRange.Start),
		End:   int(n.PosRange.End),
	}
	if s.Start >= 0 && s.End <= len(a.expr) && s.Start < s.End {
		s.Text = a.expr[s.Start:s.End]
	}
	var names []string
	var filters []LabelUse
	for _, m := range n.LabelMatchers {
		mm := Matcher{Label: m.Name, Op: m.Type.String(), Value: m.Value}
		if m.Name == labels.MetricName {
			if m.Type == labels.MatchEqual {
				names = append(names, m.Value)
			} else {
				s.NameMatchers = append(s.NameMatchers, mm)
			}
			continue
		}
		s.Matchers = append(s.Matchers, mm)
		filters = append(filters, LabelUse{Label: m.Name, Use: UseFilter})
	}
	switch {
	case n.Name != "":
		s.Name = n.Name
	case len(names) == 1:
		s.Name = names[0]
	case len(names) > 1:
		// Two different equalities on __name__ select nothing; keep them
		// as patterns so the query still names what it meant to read.
		for _, v := range names {
			s.NameMatchers = append(s.NameMatchers, Matcher{Label: labels.MetricName, Op: "=", Value: v})
		}
	}
	if sc.infoData && s.Name == "" && len(s.NameMatchers) == 0 {
		s.Name, s.Implicit = "target_info", true
	}
	s.Labels = dedupe(append(filters, sc.uses...))
	s.AllLabels = sc.open || sc.all
	s.Functions = reversed(sc.funcs)
	s.Aggregations = reversed(sc.aggs)
	a.out = append(a.out, s)
}

func dedupe(in []LabelUse) []LabelUse {
	var out []LabelUse
	for _, u := range in {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

func reversed(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := slices.Clone(in)
	slices.Reverse(out)
	return out
}

// String is a one-line account of a selector, for test failures and logs.
func (s Selector) String() string {
	name := s.Name
	if name == "" {
		name = fmt.Sprint(s.NameMatchers)
	}
	return fmt.Sprintf("%s labels=%v all=%v", name, s.Labels, s.AllLabels)
}
