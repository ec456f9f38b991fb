// Plain value types shared by every layer. No behaviour beyond small helpers; geometry lives in
// core/geometry.h and JSON mapping in core/json.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace boxloop {

using Id = std::int64_t;

// An axis-aligned box in pixels of the original image, top-left origin.
struct Box {
  double x = 0, y = 0, w = 0, h = 0;
  double right() const { return x + w; }
  double bottom() const { return y + h; }
  bool operator==(const Box&) const = default;
};

struct Category {
  Id id = 0;
  std::string name;
  std::string hotkey;  // one key, e.g. "1" or "q"; may be empty
  std::string color;   // "#rrggbb"
  int position = 0;    // display order; also the class index of models trained on the project
};

enum class ImageStatus { kUnlabeled, kLabeled, kSkipped };

struct Image {
  Id id = 0;
  std::string path;  // relative to the project's image folder, '/'-separated
  std::string sha256;
  int width = 0;
  int height = 0;
  std::string added_at;  // ISO 8601 UTC
  ImageStatus status = ImageStatus::kUnlabeled;
  int version = 0;  // bumped by every label save; a save must name the version it edited
  // Drawn at random for the audit set (DESIGN.md "The loop"): labeled as usual, never trained on
  // by a round, scored to give the loop's unbiased curve. Labelers are not told (to_json leaves it
  // out), so they label it like any other image.
  bool audit = false;
};

enum class BoxSource { kHuman, kModel };

// How a saved box came to be (the effort it cost): drawn by hand, a model proposal kept as it was,
// or a proposal the labeler moved, resized or relabeled before keeping it.
enum class BoxOrigin { kDrawn, kAccepted, kAdjusted };

// A box as stored: the current labels of one image.
struct Annotation {
  Id id = 0;
  Id image_id = 0;
  Id category_id = 0;
  Box box;
  BoxSource source = BoxSource::kHuman;  // kModel: an accepted model proposal
  std::optional<double> score;           // the model's score for a proposal
  BoxOrigin origin = BoxOrigin::kDrawn;
};

// A detection of the model that scored the queue, offered to labelers on an unlabeled image as a
// box to accept, fix or reject (pixels of the original image, like every stored box).
struct Proposal {
  Id image_id = 0;
  Id model_id = 0;
  Id category_id = 0;
  Box box;
  double score = 0;
};

// Proposals kept per image: the highest-scoring ones. A labeler checks each one, so more than a
// screenful costs more than it saves.
inline constexpr int kMaxProposalsPerImage = 50;

// What one save cost its labeler. The box counts are derived from the saved boxes' origins;
// `rejected` (proposals dismissed) and `active_seconds` (time the page was visible and in use,
// idle gaps cut) come from the page. No active_seconds: the client did not measure (a script, an
// older page, a save before effort was recorded), and effort figures leave the save out.
struct Effort {
  std::optional<double> active_seconds;
  int drawn = 0;
  int accepted = 0;
  int adjusted = 0;
  int rejected = 0;
};

// A box named by its category, used by file formats and synthetic data where ids do not exist.
struct NamedBox {
  std::string category;
  Box box;
  bool operator==(const NamedBox&) const = default;
};

// All boxes of one image file, as read from or written to an annotation format.
struct ImageLabels {
  std::string file;  // file name relative to the image folder
  int width = 0;
  int height = 0;
  std::vector<NamedBox> boxes;
};

// One detector output. `class_probs` is the full probability vector over the project's categories
// (the query sampler needs it); `class_index` is its argmax.
struct Detection {
  Box box;
  int class_index = 0;
  float score = 0;
  std::vector<float> class_probs;
};

enum class UserRole { kAdmin, kLabeler };

std::string to_string(ImageStatus status);
ImageStatus image_status_from_string(const std::string& text);
std::string to_string(BoxSource source);
BoxSource box_source_from_string(const std::string& text);
std::string to_string(BoxOrigin origin);
BoxOrigin box_origin_from_string(const std::string& text);
std::string to_string(UserRole role);
UserRole user_role_from_string(const std::string& text);

}  // namespace boxloop
