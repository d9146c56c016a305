package server

import (
	"log/slog"
	"net/http"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// backups serves the four operations of the backup API over a backupapi.Client.
type backups struct {
	client backupapi.Client
	log    *slog.Logger
	// quirks answers as Camunda's own code does where the contract chose otherwise
	// (quirks.go).
	quirks bool
}

func (b *backups) create(w http.ResponseWriter, r *http.Request) {
	id, err := parseCreateBody(r.Body)
	if isTooLarge(err) {
		writeMessage(w, http.StatusRequestEntityTooLarge, tooLargeMessage)
		return
	}
	if err != nil {
		b.fail(w, r, b.camundaIDError(err))
		return
	}
	names, err := b.client.Create(r.Context(), id)
	if err != nil {
		b.fail(w, r, err)
		return
	}
	b.log.InfoContext(r.Context(), "backup started", "backup_id", int64(id), "parts", len(names))
	writeJSON(w, http.StatusOK, backupapi.CreateResponse{ScheduledSnapshots: names})
}

func (b *backups) get(w http.ResponseWriter, r *http.Request) {
	id, err := parsePathID(r.PathValue("backupId"))
	if err != nil {
		b.fail(w, r, err)
		return
	}
	backup, err := b.client.Get(r.Context(), id)
	if err != nil {
		b.fail(w, r, b.camundaGetError(err))
		return
	}
	writeJSON(w, http.StatusOK, backup)
}

func (b *backups) list(w http.ResponseWriter, r *http.Request) {
	opts, err := parseListQuery(r.URL.Query())
	if err != nil {
		b.fail(w, r, err)
		return
	}
	list, err := b.client.List(r.Context(), opts)
	if err != nil {
		b.fail(w, r, err)
		return
	}
	writeBackups(w, b.camundaListOrder(list))
}

func (b *backups) delete(w http.ResponseWriter, r *http.Request) {
	id, err := parsePathID(r.PathValue("backupId"))
	if err != nil {
		b.fail(w, r, b.camundaIDError(err))
		return
	}
	if err := b.client.Delete(r.Context(), id); err != nil {
		b.fail(w, r, err)
		return
	}
	b.log.InfoContext(r.Context(), "backup deleted", "backup_id", int64(id))
	w.WriteHeader(http.StatusNoContent)
}

func (b *backups) fail(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, b.log, err)
}
