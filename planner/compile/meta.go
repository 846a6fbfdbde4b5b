package compile

// Job and group meta keys through which skiff recognizes what it manages. They are stable for the life of an
// app: release identity lives in the release record (and Nomad job version tags), never in job meta, because
// Nomad folds job meta into every task's meta and a change there would replace every allocation.
const (
	// MetaManagedBy is set to ManagedBy on every job skiff writes.
	MetaManagedBy = "skiff.managed-by"
	// ManagedBy is the value of MetaManagedBy.
	ManagedBy = "skiff"
	// MetaApp holds the app name.
	MetaApp = "skiff.app"
	// MetaKind holds the kind of the job ("service" for the web/worker job, else the process kind).
	MetaKind = "skiff.kind"
	// MetaProcess holds the process name on groups, and on jobs that run a single process.
	MetaProcess = "skiff.process"
)

// Job kinds stored in MetaKind.
const (
	KindService  = "service"
	KindCron     = "cron"
	KindFunction = "function"
	KindRelease  = "release"
	KindSystem   = "system"
	// KindRun marks one-off jobs of `skiff run`; they are never pruned.
	KindRun = "run"
)

// Consul service meta keys (Consul admits only letters, digits, '-' and '_' in meta keys).
const (
	ServiceMetaApp       = "skiff_app"
	ServiceMetaProcess   = "skiff_process"
	ServiceMetaNamespace = "skiff_namespace"
)
