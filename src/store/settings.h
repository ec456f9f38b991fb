// Project settings: a JSON object whose defaults live here, so a project created by an older
// version still sees every key. The store keeps the merged result.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"

namespace boxloop {

// The ranges of the known keys (validate_settings; docs/api.md "Limits").
inline constexpr int kMinLeaseSeconds = 10;
inline constexpr int kMaxLeaseSeconds = 86'400;
inline constexpr int kDefaultLeaseSeconds = 300;
inline constexpr int kMaxTriggerEvery = 1'000'000;
inline constexpr double kMaxAuditFraction = 0.5;
inline constexpr int kMinInputSize = 32;  // and a multiple of it
inline constexpr int kMaxInputSize = 2048;
inline constexpr std::size_t kMaxSettingText = 256;  // strategy spec, model arch

// {"trigger_every":20,"lease_seconds":300,"audit_fraction":0.1,"proposal_threshold":null,
//  "model":{"arch":"fastestdet","input_size":352},"train":{}}
Json default_settings();

// The settings a project sees: the defaults with the stored object merged over them (so keys
// added by a newer version appear for projects made before them). A default of null ("automatic",
// as proposal_threshold) stays in the result as null rather than vanishing as a merge patch's
// null would.
Json settings_with_defaults(const Json& stored);

// The top-level keys this version knows (lease_seconds, trigger_every, loop_enabled, strategy,
// audit_fraction, proposal_threshold, model, train); the server refuses a patch that names
// another.
const std::vector<std::string>& known_settings_keys();

// Throws kInvalidArgument naming the key when a known key has the wrong type or range:
// lease_seconds an integer in [10, 86400], trigger_every in [1, 1000000], loop_enabled a bool,
// strategy a string, audit_fraction a number in [0, 0.5], proposal_threshold null or a number in
// [0, 1], model an object whose arch is a string
// and input_size a multiple of 32 in [32, 2048], train an object. The train object's keys are the
// trainer's (train_options_from_json, which the server applies; the store cannot link it). Other
// top-level keys are left alone: a project may hold keys stored before keys were checked, and
// they must not block every later change.
void validate_settings(const Json& settings);

// Stored settings nest no deeper than a request body may (server/limits.h kMaxJsonDepth): a value
// nested deeper was stored before bodies were depth-checked, and is dropped when read so that no
// recursive walk of the settings (merge, dump) goes deep.
inline constexpr int kMaxStoredSettingsDepth = 64;

// A project's settings as stored, read leniently: older versions stored values this version
// refuses (out of range, a wrong type, nested too deep, or text that is no JSON object). Each such
// known key falls back to its default (or is left out when it has none), an unknown key nested too
// deep is dropped, and `problems` says what and why, for the store to warn about once. A value
// that validate_settings accepts is kept as stored. Never throws.
struct StoredSettings {
  Json settings;                      // settings_with_defaults of what passed
  std::vector<std::string> problems;  // "'lease_seconds' must be ...; the default is used"
};
StoredSettings read_stored_settings(const std::string& text);

// The lease length the settings ask for: kDefaultLeaseSeconds when the key is missing or out of
// range (a value stored before the range was checked), never a narrowed or wrapped number.
int lease_seconds(const Json& settings);

// The score above which a model's detections are offered as proposals, when an admin set one;
// nullopt (null, absent, or a value stored before the range was checked) means automatic: the
// threshold each score job chooses for its model (loop/proposal_threshold.h).
std::optional<double> proposal_threshold(const Json& settings);

}  // namespace boxloop
