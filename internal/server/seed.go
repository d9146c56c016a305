package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// seedBatch is the number of documents per _bulk request.
const seedBatch = 1000

// seedIndices creates the indices of the Camunda 8.8 index set that do not exist and spreads
// docs sample documents over them, in a few _bulk requests. Existing indices are left
// untouched. It returns the number of indices created.
func seedIndices(ctx context.Context, es *esapi.API, prefix string, docs int) (int, error) {
	var missing []string
	for _, name := range backupapi.Camunda88.Indices(prefix) {
		res, err := es.Indices.Exists([]string{name}, es.Indices.Exists.WithContext(ctx))
		if err := esFailure("check index "+name, res, err, http.StatusNotFound); err != nil {
			return 0, err
		}
		if res.StatusCode == http.StatusNotFound {
			missing = append(missing, name)
		}
	}
	for _, name := range missing {
		res, err := es.Indices.Create(name, es.Indices.Create.WithContext(ctx), es.Indices.Create.WithBody(bytes.NewReader(seedIndexBody(name))))
		if err := esFailure("create index "+name, res, err); err != nil {
			return 0, err
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	for start := 0; start < docs; start += seedBatch {
		body := bulkBody(missing, start, min(start+seedBatch, docs))
		res, err := es.Bulk(bytes.NewReader(body), es.Bulk.WithContext(ctx), es.Bulk.WithRefresh("true"))
		if err := esFailure("write sample documents", res, err); err != nil {
			return 0, err
		}
	}
	return len(missing), nil
}

// recordValueTypes are the value types of the zeebe-record indices seeded beside Optimize.
var recordValueTypes = []string{"process-instance", "job"}

// seedRecordIndices creates, when no index matches zeebe-record_*, indices named as the legacy
// Elasticsearch exporter names them (zeebe-record_<value type>_<version>_<day>) with a record
// each. It returns the number of indices created.
func seedRecordIndices(ctx context.Context, es *esapi.API, now time.Time) (int, error) {
	pattern := backupapi.ZeebeRecordsIndices(backupapi.ZeebeRecordsIndexPrefix)
	res, err := es.Indices.Get([]string{pattern}, es.Indices.Get.WithContext(ctx), es.Indices.Get.WithExpandWildcards("all"))
	if err != nil {
		return 0, fmt.Errorf("look for the %s indices: %w", pattern, err)
	}
	var existing map[string]json.RawMessage
	derr := json.NewDecoder(res.Body).Decode(&existing)
	res.Body.Close()
	if res.IsError() || derr != nil {
		return 0, fmt.Errorf("look for the %s indices: %s", pattern, res.Status())
	}
	if len(existing) > 0 {
		return 0, nil
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for i, vt := range recordValueTypes {
		name := fmt.Sprintf("%s_%s_%s_%s", backupapi.ZeebeRecordsIndexPrefix, vt, backupapi.Camunda88.Version, now.UTC().Format("2006-01-02"))
		_ = enc.Encode(map[string]any{"index": map[string]any{"_index": name, "_id": fmt.Sprintf("1-%d", i+1)}})
		_ = enc.Encode(map[string]any{"partitionId": 1, "position": i + 1, "valueType": strings.ToUpper(strings.ReplaceAll(vt, "-", "_"))})
	}
	res, err = es.Bulk(&body, es.Bulk.WithContext(ctx), es.Bulk.WithRefresh("true"))
	if err := esFailure("write zeebe-record indices", res, err); err != nil {
		return 0, err
	}
	return len(recordValueTypes), nil
}

// bulkBody is the _bulk body of sample documents from..to-1, spread round-robin over indices.
func bulkBody(indices []string, from, to int) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for n := from; n < to; n++ {
		_ = enc.Encode(map[string]any{"index": map[string]any{"_index": indices[n%len(indices)], "_id": fmt.Sprint(n + 1)}})
		_ = enc.Encode(map[string]any{
			"key": 2251799813685248 + n, "name": fmt.Sprintf("sample document %d", n+1),
			"tenantId": "<default>", "partitionId": 1 + n%3,
		})
	}
	return b.Bytes()
}

// seedIndexBody is the create-index body of a sample index: the alias Camunda 8.8 reads the
// index through (its full name followed by "alias", as the web applications' index descriptors
// name it) and mappings of the sample documents' fields.
func seedIndexBody(name string) []byte {
	b, _ := json.Marshal(map[string]any{
		"aliases": map[string]any{name + "alias": map[string]any{}},
		"mappings": map[string]any{"properties": map[string]any{
			"key":         map[string]any{"type": "long"},
			"name":        map[string]any{"type": "keyword"},
			"tenantId":    map[string]any{"type": "keyword"},
			"partitionId": map[string]any{"type": "integer"},
		}},
	})
	return b
}
