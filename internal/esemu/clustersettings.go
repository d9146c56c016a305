package esemu

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// destructiveRequiresName is the one dynamic cluster setting the emulator
// honours: while true (Elasticsearch 8's default), deleting or closing indices
// by a wildcard or _all is refused.
const destructiveRequiresName = "action.destructive_requires_name"

// clusterSettingDefaults are the settings GET _cluster/settings?include_defaults
// reports, with their defaults.
var clusterSettingDefaults = map[string]string{destructiveRequiresName: "true"}

const clusterSettingsParams = "flat_settings include_defaults master_timeout timeout"

// clusterSettings are the persistent and transient dynamic settings, flat keys
// with string values; guarded by Server.mu.
type clusterSettings struct {
	persistent, transient map[string]string
}

// setting is a setting's effective value: transient over persistent over default.
func (cs *clusterSettings) setting(key string) string {
	if v, ok := cs.transient[key]; ok {
		return v
	}
	if v, ok := cs.persistent[key]; ok {
		return v
	}
	return clusterSettingDefaults[key]
}

// destructiveAllowed reports whether wildcard and _all destructive index
// operations are allowed; s.mu must be held.
func (s *Server) destructiveAllowed() bool {
	return s.settings.setting(destructiveRequiresName) == "false"
}

// checkDestructive refuses a destructive operation on an index expression that
// uses a wildcard or _all, as Elasticsearch's DestructiveOperations does;
// s.mu must be held.
func (s *Server) checkDestructive(expr string) *esError {
	if s.destructiveAllowed() {
		return nil
	}
	for _, e := range splitList(expr) {
		if e == "_all" || strings.Contains(e, "*") {
			return errIllegalArgument("Wildcard expressions or all indices are not allowed")
		}
	}
	return nil
}

// renderSettings renders flat settings, nested unless flat is asked for.
func renderSettings(m map[string]string, flat bool) object {
	if !flat {
		return nestSettings(m)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(object, 0, len(keys))
	for _, k := range keys {
		out = append(out, member{k, m[k]})
	}
	return out
}

func (c *call) getClusterSettings() error {
	flat, err := c.boolParam("flat_settings", false)
	if err != nil {
		return err
	}
	defaults, err := c.boolParam("include_defaults", false)
	if err != nil {
		return err
	}
	s := c.s
	s.mu.RLock()
	out := object{{"persistent", renderSettings(s.settings.persistent, flat)}, {"transient", renderSettings(s.settings.transient, flat)}}
	s.mu.RUnlock()
	if defaults {
		out = append(out, member{"defaults", renderSettings(clusterSettingDefaults, flat)})
	}
	return c.json(http.StatusOK, out)
}

// putClusterSettings updates persistent and transient settings; a null value
// resets a setting to its default. Only the settings the emulator honours are
// accepted; others are refused as unknown, as Elasticsearch refuses them.
func (c *call) putClusterSettings() error {
	body, perr := c.bodyObject()
	if perr != nil {
		return perr
	}
	if body == nil {
		return errParse("request body is required")
	}
	updates := map[string]map[string]*string{}
	for _, m := range body {
		if m.Key != "persistent" && m.Key != "transient" {
			return errIllegalArgument("request body contains unknown field [%s]", m.Key)
		}
		o, ok := m.Value.(object)
		if !ok && m.Value != nil {
			return errIllegalArgument("malformed %s settings, should be an object", m.Key)
		}
		flat := map[string]*string{}
		if err := flattenClusterSettings("", o, flat); err != nil {
			return err
		}
		for k, v := range flat {
			if _, known := clusterSettingDefaults[k]; !known {
				return errIllegalArgument("%s setting [%s], not recognized", m.Key, k)
			}
			if v != nil {
				if _, err := parseBool(*v, false); err != nil || *v == "" {
					return errIllegalArgument("Failed to parse value [%s] as only [true] or [false] are allowed.", *v)
				}
			}
		}
		updates[m.Key] = flat
	}
	s := c.s
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errServerClosed()
	}
	next := clusterSettings{persistent: cloneMap(s.settings.persistent), transient: cloneMap(s.settings.transient)}
	applied := map[string]map[string]string{"persistent": {}, "transient": {}}
	for scope, flat := range updates {
		target := next.persistent
		if scope == "transient" {
			target = next.transient
		}
		for k, v := range flat {
			if v == nil {
				delete(target, k)
				continue
			}
			target[k] = *v
			applied[scope][k] = *v
		}
	}
	prev := s.settings
	s.settings = next
	if err := s.saveStateLocked(); err != nil {
		s.settings = prev
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()
	return c.json(http.StatusOK, object{{"acknowledged", true},
		{"persistent", nestSettings(applied["persistent"])}, {"transient", nestSettings(applied["transient"])}})
}

// flattenClusterSettings flattens nested settings objects into dotted keys;
// nil values stay nil (a reset).
func flattenClusterSettings(prefix string, o object, out map[string]*string) *esError {
	for _, m := range o {
		k := m.Key
		if prefix != "" {
			k = prefix + "." + k
		}
		switch v := m.Value.(type) {
		case object:
			if err := flattenClusterSettings(k, v, out); err != nil {
				return err
			}
		case nil:
			out[k] = nil
		case string:
			out[k] = &v
		case bool:
			str := strconv.FormatBool(v)
			out[k] = &str
		default:
			str, _ := stringifySettings(v).(string)
			out[k] = &str
		}
	}
	return nil
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
