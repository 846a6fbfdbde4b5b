package edge

import (
	"fmt"
	"strconv"
	"strings"
)

// WeightAnchorTag marks the placeholder target that keeps a `route weight` command from matching nothing.
const WeightAnchorTag = "skiff-weight-anchor"

// anchorDst is the placeholder target's address; the target is deleted before Fabio uses the table, and the
// .invalid TLD (RFC 2606) could never resolve anyway.
const anchorDst = "http://skiff-weight-anchor.invalid/"

// weightHeader starts the text of a Weight; its fields make the text readable back without Fabio.
const weightHeader = "# skiff canary weight:"

// Weight is the canary weight of one service during one deployment: the canaries together get Percent of the
// requests of each source in Srcs.
type Weight struct {
	Service string `json:"service"`
	// Percent is the share (1–100) the canaries get together once all of them are healthy.
	Percent int `json:"percent"`
	// Canaries is the number of canaries the deployment places; once all are healthy each gets
	// Percent/Canaries (while only some are, see Share).
	Canaries int `json:"canaries"`
	// Srcs are the Fabio route sources (Route.Src) of the service that the weight applies to.
	Srcs []string `json:"srcs"`
	// Deployment is the Nomad deployment ID the weight was written for.
	Deployment string `json:"deployment,omitempty"`
}

// Commands renders w as the Fabio route commands stored in Consul KV, one block per source:
//
//	route add <svc> <src> http://skiff-weight-anchor.invalid/ tags "skiff-canary,skiff-weight-anchor"
//	route weight <svc> <src> weight <f> tags "skiff-canary"
//	route del <svc> tags "skiff-weight-anchor"
//
// Fabio drops its whole routing table update when a `route weight` matches no target, so the weight is
// anchored on a placeholder target carrying the canary tag, which the `route del` removes again before the
// table is used. The weight command spreads f evenly over the matching targets (the healthy canaries plus
// the anchor); f is Percent·(Canaries+1)/Canaries, so with every canary healthy they keep Percent together.
// When no canary carries the tag any more the weight lands on the anchor alone and vanishes with it.
func (w Weight) Commands() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s service=%s percent=%d canaries=%d deployment=%s\n", weightHeader, w.Service, w.Percent,
		w.Canaries, w.Deployment)
	f := w.fixed()
	for _, src := range w.Srcs {
		fmt.Fprintf(&b, "route add %s %s %s tags %q\n", w.Service, src, anchorDst, CanaryTag+","+WeightAnchorTag)
		fmt.Fprintf(&b, "route weight %s %s weight %s tags %q\n", w.Service, src, strconv.FormatFloat(f, 'f', 4, 64), CanaryTag)
		fmt.Fprintf(&b, "route del %s tags %q\n", w.Service, WeightAnchorTag)
	}
	return b.String()
}

// fixed is the weight given to the canaries plus the anchor.
func (w Weight) fixed() float64 {
	k := w.Canaries
	if k < 1 {
		k = 1
	}
	return float64(w.Percent) / 100 * float64(k+1) / float64(k)
}

// Share returns the share of a source's requests that Fabio gives the canaries when healthy of them are
// in its table (0 ≤ share ≤ 1, before normalisation when the fixed weights exceed 1).
func (w Weight) Share(healthy int) float64 {
	if healthy <= 0 {
		return 0
	}
	return w.fixed() * float64(healthy) / float64(healthy+1)
}

// ParseWeight reads back the text written by Commands.
func ParseWeight(text string) (Weight, error) {
	var w Weight
	lines := strings.Split(strings.TrimSpace(text), "\n")
	head, ok := strings.CutPrefix(lines[0], weightHeader)
	if !ok {
		return w, fmt.Errorf("not a skiff canary weight (no %q header)", weightHeader)
	}
	for _, f := range strings.Fields(head) {
		k, v, _ := strings.Cut(f, "=")
		var err error
		switch k {
		case "service":
			w.Service = v
		case "percent":
			w.Percent, err = strconv.Atoi(v)
		case "canaries":
			w.Canaries, err = strconv.Atoi(v)
		case "deployment":
			w.Deployment = v
		}
		if err != nil {
			return w, fmt.Errorf("canary weight header: %s: %w", k, err)
		}
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) >= 4 && f[0] == "route" && f[1] == "weight" {
			w.Srcs = append(w.Srcs, f[3])
		}
	}
	if w.Service == "" || w.Percent <= 0 || len(w.Srcs) == 0 {
		return w, fmt.Errorf("incomplete skiff canary weight: %q", lines[0])
	}
	return w, nil
}
