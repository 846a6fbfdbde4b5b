package edge

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	consulapi "github.com/hashicorp/consul/api"
)

// LiveRoute is a route registered in the Consul catalog: one urlprefix- tag of one service, with the app
// that owns the service.
type LiveRoute struct {
	Route
	// Tag is the tag as registered.
	Tag string `json:"tag"`
	// Service is the Consul service name.
	Service string `json:"service"`
	// Namespace and App name the owner from the service meta; both empty when skiff does not manage it.
	Namespace string `json:"namespace,omitempty"`
	App       string `json:"app,omitempty"`
	// Instances counts the registrations with the tag; Canaries those of them that also carry CanaryTag.
	Instances int `json:"instances"`
	Canaries  int `json:"canaries"`
	// CanaryWeight is the canary_weight (percent) the canary registrations carry in their meta, else 0.
	CanaryWeight int `json:"canary_weight,omitempty"`
}

// Owner describes who owns the route, for messages.
func (l LiveRoute) Owner() string {
	if l.App == "" {
		return fmt.Sprintf("service %q, which skiff does not manage", l.Service)
	}
	return fmt.Sprintf("app %q in namespace %q (service %s)", l.App, l.Namespace, l.Service)
}

// LiveRoutes reads every route registered in the Consul catalog, health aside (a route whose instances are all
// failing is still claimed), sorted by source, service and tag.
func LiveRoutes(ctx context.Context, c *consulapi.Client) ([]LiveRoute, error) {
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	services, _, err := c.Catalog().Services(q)
	if err != nil {
		return nil, fmt.Errorf("listing Consul services: %w", err)
	}
	names := make([]string, 0, len(services))
	for name, tags := range services {
		for _, t := range tags {
			if strings.HasPrefix(strings.TrimSpace(t), TagPrefix) {
				names = append(names, name)
				break
			}
		}
	}
	sort.Strings(names)
	type key struct{ service, tag, ns, app string }
	byKey := map[key]*LiveRoute{}
	for _, name := range names {
		entries, _, err := c.Catalog().Service(name, "", q)
		if err != nil {
			return nil, fmt.Errorf("reading Consul service %s: %w", name, err)
		}
		for _, e := range entries {
			canary := hasTag(e.ServiceTags, CanaryTag)
			routes, raw, _ := splitTags(e.ServiceTags)
			for i, r := range routes {
				k := key{name, raw[i], e.ServiceMeta[MetaNamespace], e.ServiceMeta[MetaApp]}
				l := byKey[k]
				if l == nil {
					l = &LiveRoute{Route: r, Tag: raw[i], Service: name, Namespace: k.ns, App: k.app}
					byKey[k] = l
				}
				l.Instances++
				if canary {
					l.Canaries++
					if w, err := strconv.Atoi(e.ServiceMeta[MetaCanaryWeight]); err == nil {
						l.CanaryWeight = w
					}
				}
			}
		}
	}
	out := make([]LiveRoute, 0, len(byKey))
	for _, l := range byKey {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Src != b.Src {
			return a.Src < b.Src
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Tag < b.Tag
	})
	return out, nil
}
