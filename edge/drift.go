package edge

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Drift kinds of a RouteState.
const (
	DriftMissing = "missing in Fabio"
	DriftExtra   = "extra in Fabio"
	DriftWeight  = "weight differs"
	DriftOpts    = "options differ"
)

// RouteState is one route of `skiff routes`: what is desired next to what Fabio's table holds.
type RouteState struct {
	Src     string `json:"src"`
	Service string `json:"service"`
	// Desired is the desired route; nil for a route only Fabio has.
	Desired *DesiredRoute `json:"desired,omitempty"`
	// Targets counts Fabio's targets of the route for the service; Canaries those that are canaries.
	Targets  int `json:"targets"`
	Canaries int `json:"canaries"`
	// CanaryShare is the share of the route's requests Fabio gives the canaries (0–1); WantShare what it
	// should be given the stored weight (an even share without one). Both are 0 without canaries.
	CanaryShare float64 `json:"canary_share"`
	WantShare   float64 `json:"want_share"`
	// WeightPercent is the stored canary weight of the service for this route (0: none stored).
	WeightPercent int `json:"weight_percent,omitempty"`
	// Drift lists what differs (Drift* constants); empty when Fabio matches.
	Drift []string `json:"drift,omitempty"`
}

// weightTolerance is how far a share may be from the expected one before it counts as drift (Fabio
// rounds target weights onto a ring of 10000 slots).
const weightTolerance = 0.005

// Drift compares desired routes and stored weights with Fabio's table. scope holds the services whose Fabio
// targets are in question: a target of a scope service that no desired route explains is extra.
func Drift(desired []DesiredRoute, weights []StoredWeight, fabio []FabioTarget, scope map[string]bool) []RouteState {
	type key struct{ service, src string }
	targets := map[key][]FabioTarget{}
	var keys []key
	for _, t := range fabio {
		if !scope[t.Service] {
			continue
		}
		k := key{t.Service, t.Src}
		if targets[k] == nil {
			keys = append(keys, k)
		}
		targets[k] = append(targets[k], t)
	}
	weightOf := map[key]Weight{}
	for _, sw := range weights {
		for _, src := range sw.Srcs {
			weightOf[key{sw.Service, src}] = sw.Weight
		}
	}
	var out []RouteState
	seen := map[key]bool{}
	for i := range desired {
		d := &desired[i]
		k := key{d.Service, d.Src}
		seen[k] = true
		st := routeState(d.Src, d.Service, targets[k], weightOf[k])
		st.Desired = d
		if st.Targets == 0 {
			st.Drift = append(st.Drift, DriftMissing)
		} else if !optsMatch(d.Route, targets[k]) {
			st.Drift = append(st.Drift, DriftOpts)
		}
		out = append(out, st)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].src != keys[j].src {
			return keys[i].src < keys[j].src
		}
		return keys[i].service < keys[j].service
	})
	for _, k := range keys {
		if seen[k] {
			continue
		}
		st := routeState(k.src, k.service, targets[k], weightOf[k])
		st.Drift = append([]string{DriftExtra}, st.Drift...)
		out = append(out, st)
	}
	return out
}

// routeState measures the targets of one route and checks the canaries' share.
func routeState(src, service string, ts []FabioTarget, w Weight) RouteState {
	st := RouteState{Src: src, Service: service, Targets: len(ts), WeightPercent: w.Percent}
	for _, t := range ts {
		if t.Canary() {
			st.Canaries++
			st.CanaryShare += t.Weight
		}
	}
	if st.Canaries == 0 {
		return st
	}
	if w.Percent > 0 {
		st.WantShare = expectedShare(w, st.Canaries, st.Targets)
	} else {
		st.WantShare = float64(st.Canaries) / float64(st.Targets)
	}
	if math.Abs(st.CanaryShare-st.WantShare) > weightTolerance {
		st.Drift = append(st.Drift, DriftWeight)
	}
	return st
}

// expectedShare is the canaries' share Fabio computes for w with canaries of targets healthy: the fixed
// weights, normalised to 1 when they exceed it or when no other target is left.
func expectedShare(w Weight, canaries, targets int) float64 {
	share := w.Share(canaries)
	if share > 1 || canaries == targets {
		return 1
	}
	return share
}

// optsMatch reports whether every target carries the desired strip and redirect options.
func optsMatch(r Route, ts []FabioTarget) bool {
	for _, t := range ts {
		if t.Opt("strip") != r.Strip() {
			return false
		}
		code := ""
		if r.RedirectCode != 0 {
			code = strconv.Itoa(r.RedirectCode)
		}
		if t.Opt("redirect") != code || (code != "" && t.Dst != r.RedirectURL) {
			return false
		}
	}
	return true
}

// FormatShare renders a share as a percentage with one decimal.
func FormatShare(share float64) string {
	return fmt.Sprintf("%.1f%%", share*100)
}
