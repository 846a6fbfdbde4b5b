package api

import "time"

// Health is the answer of /v1/health.
type Health struct {
	// Status is "ok".
	Status  string `json:"status"`
	Version string `json:"version"`
}

// AppSummary is one app in a list.
type AppSummary struct {
	Namespace string `json:"namespace"`
	App       string `json:"app"`
	// Release is the live release (0: none yet); Latest the newest release and LatestState its state.
	Release     int    `json:"release"`
	Latest      int    `json:"latest"`
	LatestState string `json:"latest_state,omitempty"`
	// Desired and Running count the instances of the app's web, worker and system processes (absent when the
	// server runs without its read model).
	Desired *int `json:"desired,omitempty"`
	Running *int `json:"running,omitempty"`
}

// AppStatus is the live state of an app, read from Nomad and Consul.
type AppStatus struct {
	App       string `json:"app"`
	Namespace string `json:"namespace"`
	// Release is the live release; Latest the newest release when it is another one (deploying, failed,
	// superseded). Either may be nil.
	Release   *Release        `json:"release,omitempty"`
	Latest    *Release        `json:"latest,omitempty"`
	Processes []ProcessStatus `json:"processes"`
	// Deployments holds the latest Nomad deployment of each service or system job.
	Deployments []JobDeployment `json:"deployments,omitempty"`
}

// Process returns the status of the named process, or nil.
func (s *AppStatus) Process(name string) *ProcessStatus {
	for i := range s.Processes {
		if s.Processes[i].Name == name {
			return &s.Processes[i]
		}
	}
	return nil
}

// ProcessStatus is one process's live state.
type ProcessStatus struct {
	Name string `json:"name"`
	// Kind is web, worker, cron, function, release or system.
	Kind  string `json:"kind"`
	JobID string `json:"job"`
	// Desired, Running and Failed count allocations (runs, for batch processes).
	Desired int `json:"desired"`
	Running int `json:"running"`
	Failed  int `json:"failed"`
	// Service and DNS name the Consul service of a service process; Healthy counts its passing instances.
	Service string `json:"service,omitempty"`
	DNS     string `json:"dns,omitempty"`
	Healthy int    `json:"healthy"`
	// NextRun is the next launch of a cron process.
	NextRun *time.Time `json:"next_run,omitempty"`
}

// JobDeployment summarizes the latest Nomad deployment of one job.
type JobDeployment struct {
	JobID       string `json:"job"`
	ID          string `json:"id"`
	JobVersion  uint64 `json:"job_version"`
	Status      string `json:"status"`
	Description string `json:"description"`
}

// Formation is an app's process counts.
type Formation struct {
	Processes []FormationEntry `json:"processes"`
}

// Count returns the count of the named process and whether the formation has it.
func (f *Formation) Count(process string) (int, bool) {
	for _, p := range f.Processes {
		if p.Process == process {
			return p.Count, true
		}
	}
	return 0, false
}

// FormationEntry is one process's count.
type FormationEntry struct {
	Process string `json:"process"`
	Kind    string `json:"kind"`
	Count   int    `json:"count"`
}

// Offering is a backing service apps can bind (a Postgres database, say).
type Offering struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Host, Port and Database are where apps connect.
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Database string `json:"database"`
	// VaultMount and VaultConnection name the Vault database secrets engine that issues credentials.
	VaultMount      string `json:"vault_mount"`
	VaultConnection string `json:"vault_connection"`
	// CreationStatements create a user in the service; empty means the default login role.
	CreationStatements []string `json:"creation_statements,omitempty"`
}
