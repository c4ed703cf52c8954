package main

import (
	"strings"
	"testing"
)

// TestSpanAndLogPriceFlags: a price per million spans and per gigabyte of
// logs, from flags or their environment twins, join the metric prices in
// the price model; a negative one is refused, naming the flags.
func TestSpanAndLogPriceFlags(t *testing.T) {
	t.Setenv("TALLYCAT_PRICE_PER_GB_LOGS", "0.5")
	m := &Main{Config: DefaultConfig()}
	if err := m.ParseFlags([]string{"--price-per-million-spans", "2"}); err != nil {
		t.Fatal(err)
	}
	if p := m.Config.Prices; p.PerMillionSpans != 2 || p.PerGBLogs != 0.5 || p.PerMillionPoints != 0 || !p.Set() {
		t.Errorf("prices = %+v, want 2 a million spans and 0.5 a gigabyte of logs", p)
	}
	for _, flag := range []string{"--price-per-million-spans", "--price-per-gb-logs"} {
		err := (&Main{Config: DefaultConfig()}).ParseFlags([]string{flag, "-1"})
		if err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("%s -1 = %v, want an error naming it", flag, err)
		}
	}
}
