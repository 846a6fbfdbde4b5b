package jobspec

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Rollout holds the update settings of a service process (Nomad's update block).
type Rollout struct {
	// Strategy is "rolling" or "canary" (canary when Canary > 0).
	Strategy string `json:"strategy"`
	// MaxParallel is the number of instances updated at once.
	MaxParallel int `json:"max_parallel"`
	// Canary is the number of canary instances started before the old ones are replaced.
	Canary int `json:"canary"`
	// CanaryWeight is the share of the process's routed traffic, in percent (0–100), that the router sends to
	// the canaries while they are unpromoted; 0 when there are no canaries, or to spread traffic evenly
	// across all instances.
	CanaryWeight int `json:"canary_weight,omitempty"`
	// AutoPromote promotes healthy canaries without a manual step; AutoRevert reverts a failed deployment to the
	// last healthy release.
	AutoPromote bool `json:"auto_promote"`
	AutoRevert  bool `json:"auto_revert"`
	// MinHealthyTime is how long an instance must be healthy to count; HealthyDeadline how long it may take to
	// become healthy; ProgressDeadline how long the deployment may go without progress.
	MinHealthyTime   time.Duration `json:"min_healthy_time"`
	HealthyDeadline  time.Duration `json:"healthy_deadline"`
	ProgressDeadline time.Duration `json:"progress_deadline"`
	// DeclRange is the rollout block header (the process header when defaulted).
	DeclRange hcl.Range `json:"-"`
}

// rolloutInput is a decoded rollout block before normalization.
type rolloutInput struct {
	DeclRange                                   hcl.Range
	Strategy                                    *string
	StrategyRange                               hcl.Range
	MaxParallel, Canary, CanaryWeight           *int
	MaxParallelRange, CanaryRange, WeightRange  hcl.Range
	AutoPromote, AutoRevert                     *bool
	AutoPromoteRange                            hcl.Range
	MinHealthyTime, HealthyDeadline, Progress   *time.Duration
	MinHealthyRange, DeadlineRange, ProgressRng hcl.Range
}

var rolloutBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "strategy"},
		{Name: "max_parallel"},
		{Name: "canary"},
		{Name: "canary_weight"},
		{Name: "auto_promote"},
		{Name: "auto_revert"},
		{Name: "min_healthy_time"},
		{Name: "healthy_deadline"},
		{Name: "progress_deadline"},
	},
}

// decodeRolloutBlock decodes a rollout block.
func decodeRolloutBlock(d *decoder, block *hcl.Block, path string) (*rolloutInput, hcl.Diagnostics) {
	in := &rolloutInput{DeclRange: block.DefRange}
	c, diags := content(block.Body, rolloutBlockSchema, "rollout")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	for _, name := range sortedKeys(c.Attributes) {
		a := c.Attributes[name]
		p := path + "." + name
		switch name {
		case "strategy":
			in.Strategy, ds = d.str(a, p)
			in.StrategyRange = a.Expr.Range()
		case "max_parallel":
			in.MaxParallel, ds = d.int(a, p)
			in.MaxParallelRange = a.Expr.Range()
		case "canary":
			in.Canary, ds = d.int(a, p)
			in.CanaryRange = a.Expr.Range()
		case "canary_weight":
			in.CanaryWeight, ds = d.int(a, p)
			in.WeightRange = a.Expr.Range()
		case "auto_promote":
			in.AutoPromote, ds = d.bool(a, p)
			in.AutoPromoteRange = a.NameRange
		case "auto_revert":
			in.AutoRevert, ds = d.bool(a, p)
		case "min_healthy_time":
			in.MinHealthyTime, ds = d.duration(a, p, false)
			in.MinHealthyRange = a.Expr.Range()
		case "healthy_deadline":
			in.HealthyDeadline, ds = d.duration(a, p, false)
			in.DeadlineRange = a.Expr.Range()
		case "progress_deadline":
			in.Progress, ds = d.duration(a, p, false)
			in.ProgressRng = a.Expr.Range()
		}
		diags = append(diags, ds...)
	}
	return in, diags
}
