// Package readmodel keeps an in-memory view of the Nomad jobs, allocations and deployments of skiff-managed apps,
// fed by Nomad's event stream, so that the platform API answers status, app lists and deployment progress
// without one blocking query per watched object (Nomad allows 100 HTTP connections per client IP).
//
// # What is in the model
//
// A job belongs to the model when its meta carries skiff.managed-by = skiff (compile.MetaManagedBy); its app is
// its skiff.app meta. Dispatched and periodic children (ParentID set) belong to their parent's app, and appear
// as jobs of their own with ParentID filled in. Every namespace is watched. For each job the model keeps the
// job's spec summary (type, version, status, groups with their desired counts), its allocations (counted per
// group by client status and deployment health) and its latest deployment.
//
// # How it is fed
//
// [Model.Run] holds one connection to /v1/event/stream (topics Job, Allocation, Deployment and Node; Node events
// are only used to learn early that the subscription is live, since Nomad sends no response header before the
// first matching event) and, once the stream is in step, one blocking query on the namespace list; before that, a
// full read makes its requests one at a time. So the model uses two connections to Nomad at a time (measured
// with 1,000 jobs: 2), within a budget of four that leaves room for Go's transport, which may dial the next
// connection before it finished closing one the API package abandoned. A session is:
//
//  1. read the namespace list, open the stream from the last index the model applied;
//  2. if the first batch Nomad sends is exactly that index, the stream resumed without a gap: carry on;
//  3. otherwise (first start of Run, a gap after an error or reconnect, an index no longer in Nomad's event
//     buffer, a new namespace) do a full read — allocations, deployments, jobs, then each managed job whose
//     ModifyIndex changed — while the stream's events are buffered, install it, and apply the buffered events;
//  4. apply batches until the stream fails, then back off (0.5 s doubling to 30 s) and start again.
//
// The stream is opened before the full read, so every write after the read reaches the model; events the read
// already reflects are recognised by index (per topic, against the table index of the read, and per object,
// against its ModifyIndex) and skipped. Nomad resolves the "*" namespace of a stream when it is opened, so a
// namespace created later would be invisible to it: the namespace watch ends the session and forces a full
// read when one appears. A slow reader is dropped by Nomad with an error, which is a gap like any other.
//
// # Reading
//
// [Model.Apps] and [Model.App] return fresh copies, safe to keep and to use from any goroutine.
// [Model.Index] is the Nomad index the model has caught up to, and [Model.WaitIndex] waits for a given one, so
// that a handler that just wrote to Nomad can read its own write. [Model.Subscribe] delivers change
// notifications for one app; a subscriber that does not keep up gets its pending notifications coalesced into
// one, never a blocked stream.
//
// # Known limits
//
// Nomad publishes no event when it garbage-collects an allocation or a deployment, so terminal allocations that
// Nomad has forgotten stay counted until the next full read. An allocation of a job that becomes skiff-managed
// only in a later version is known from the next full read on. The stream has no application-level heartbeat
// visible through the API package: a silently dead TCP connection is found by TCP keepalive.
package readmodel
