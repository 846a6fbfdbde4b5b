package server

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own (no global state).
type metrics struct {
	registry       *prometheus.Registry
	requests       *prometheus.HistogramVec
	deploys        *prometheus.CounterVec
	deployDuration prometheus.Histogram
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "skiff_http_request_duration_seconds", Help: "API request latencies by method, route and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"method", "route", "status"}),
		deploys: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skiff_deploys_total", Help: "Deployments and rollbacks by outcome (the release's final state).",
		}, []string{"outcome"}),
		deployDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "skiff_deploy_duration_seconds", Help: "How long deployments and rollbacks took, from request to outcome.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
	}
	m.registry.MustRegister(m.requests, m.deploys, m.deployDuration,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observeRequest(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}

func (m *metrics) observeDeploy(outcome string, d time.Duration) {
	m.deploys.WithLabelValues(outcome).Inc()
	m.deployDuration.Observe(d.Seconds())
}

// handler serves the metrics in Prometheus' text format.
func (m *metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}
