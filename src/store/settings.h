// Project settings: one typed struct, read from and written to the JSON object the project row
// holds (the format every version stored) only here. parse_settings is the one reading of a
// settings object (what a change writes), read_stored_settings its lenient twin for what is
// already stored, to_json the one writing.
//
// The store checks types and ranges. What it cannot link is checked above it, on every change
// (loop/state/settings_change.h): that a strategy spec parses (active/), that model.arch is an
// architecture and that the train object holds the trainer's options (train/options).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"

namespace boxloop {

// The ranges of the settings (parse_settings; docs/api.md "Limits").
inline constexpr int kMinLeaseSeconds = 10;
inline constexpr int kMaxLeaseSeconds = 86'400;
inline constexpr int kDefaultLeaseSeconds = 300;
inline constexpr int kMaxTriggerEvery = 1'000'000;
inline constexpr double kMaxAuditFraction = 0.5;
inline constexpr int kMinInputSize = 32;  // and a multiple of it
inline constexpr int kMaxInputSize = 2048;
inline constexpr std::size_t kMaxSettingText = 256;  // strategy spec, model arch

struct ModelSettings {
  std::string arch = "fastestdet";
  int input_size = 352;  // a multiple of kMinInputSize in [kMinInputSize, kMaxInputSize]

  bool operator==(const ModelSettings&) const = default;
};

struct ProjectSettings {
  int lease_seconds = kDefaultLeaseSeconds;  // [kMinLeaseSeconds, kMaxLeaseSeconds]
  int trigger_every = 20;                    // label events a round; [1, kMaxTriggerEvery]
  bool loop_enabled = true;
  // A query strategy spec; empty means active::default_strategy_spec(). Empty is not written, so
  // a project that never picked one follows a better default when one is found.
  std::string strategy;
  // A tenth of the images served are drawn at random for the audit set ([0, kMaxAuditFraction]).
  // Fewer (0.05) leaves 6 audit images at 120 labeled, too few for an interval that says
  // anything; more takes labels from training that the sampler could have chosen.
  double audit_fraction = 0.1;
  // The score above which detections are offered as proposals, in [0, 1]; nullopt (stored as
  // null): chosen per model by each score job (loop/proposal_threshold.h).
  std::optional<double> proposal_threshold;
  ModelSettings model;
  // Training options written over a round's defaults: a JSON object whose keys belong to the
  // trainer (train_options_from_json), which the store cannot link; kept opaque here and read
  // only through loop::read_train_settings.
  Json train = Json::object();
  // Top-level keys this version does not know (left by an older version, or by a newer one):
  // kept as stored, never read, so that a change made by this version does not drop them.
  Json unknown = Json::object();

  bool operator==(const ProjectSettings&) const = default;
};

// The top-level keys this version knows (lease_seconds, trigger_every, loop_enabled, strategy,
// audit_fraction, proposal_threshold, model, train).
const std::vector<std::string>& known_settings_keys();

// Reads a settings object: a known key that is absent or null takes its default, and one with a
// wrong type or range throws kInvalidArgument naming it (lease_seconds an integer in [10, 86400],
// trigger_every in [1, 1000000], loop_enabled a bool, strategy a string of at most 256 bytes,
// audit_fraction a number in [0, 0.5], proposal_threshold null or a number in [0, 1], model an
// object {arch: a string of at most 256 bytes, input_size: a multiple of 32 in [32, 2048]} and
// nothing else, train an object). Other keys go to `unknown`.
ProjectSettings parse_settings(const Json& settings);

// The settings object as stored and served: every known key (strategy only when set,
// proposal_threshold null when automatic) and the unknown ones. parse_settings(to_json(s)) == s.
Json to_json(const ProjectSettings& settings);

// `current` with a JSON merge patch applied (null removes a key: a known key takes its default
// again), read with parse_settings. An unknown key is refused unless it is being removed, so that
// keys left by an older version can be cleaned up but no typo is stored.
ProjectSettings patch_settings(const ProjectSettings& current, const Json& patch);

// Stored settings nest no deeper than a request body may (server/limits.h kMaxJsonDepth): a value
// nested deeper was stored before bodies were depth-checked, and is dropped when read so that no
// recursive walk of the settings (merge, dump) goes deep.
inline constexpr int kMaxStoredSettingsDepth = 64;

// A project's settings as stored, read leniently: older versions stored values this version
// refuses (out of range, a wrong type, nested too deep, or text that is no JSON object). Each such
// known key takes its default (a model member, the model's default for it; a model member this
// version does not know is dropped), an unknown key nested too deep is dropped, and `problems`
// says what and why, for the store to warn about once. A value parse_settings accepts is kept as
// stored. Never throws.
struct StoredSettings {
  ProjectSettings settings;
  std::vector<std::string> problems;  // "'lease_seconds' must be ...; the default is used"
};
StoredSettings read_stored_settings(const std::string& text);

}  // namespace boxloop
