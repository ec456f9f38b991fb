#include "core/types.h"

#include "core/error.h"

namespace boxloop {

std::string to_string(ImageStatus status) {
  switch (status) {
    case ImageStatus::kUnlabeled:
      return "unlabeled";
    case ImageStatus::kLabeled:
      return "labeled";
    case ImageStatus::kSkipped:
      return "skipped";
  }
  return "unlabeled";
}

ImageStatus image_status_from_string(const std::string& text) {
  if (text == "unlabeled") return ImageStatus::kUnlabeled;
  if (text == "labeled") return ImageStatus::kLabeled;
  if (text == "skipped") return ImageStatus::kSkipped;
  throw Error(ErrorCode::kInvalidArgument, "unknown image status '" + text + "'");
}

std::string to_string(BoxSource source) { return source == BoxSource::kHuman ? "human" : "model"; }

BoxSource box_source_from_string(const std::string& text) {
  if (text == "human") return BoxSource::kHuman;
  if (text == "model") return BoxSource::kModel;
  throw Error(ErrorCode::kInvalidArgument, "unknown box source '" + text + "'");
}

std::string to_string(BoxOrigin origin) {
  switch (origin) {
    case BoxOrigin::kDrawn:
      return "drawn";
    case BoxOrigin::kAccepted:
      return "accepted";
    case BoxOrigin::kAdjusted:
      return "adjusted";
  }
  return "drawn";
}

BoxOrigin box_origin_from_string(const std::string& text) {
  if (text == "drawn") return BoxOrigin::kDrawn;
  if (text == "accepted") return BoxOrigin::kAccepted;
  if (text == "adjusted") return BoxOrigin::kAdjusted;
  throw Error(ErrorCode::kInvalidArgument,
              "unknown box origin '" + text + "' (drawn, accepted or adjusted)");
}

std::string to_string(UserRole role) { return role == UserRole::kAdmin ? "admin" : "labeler"; }

UserRole user_role_from_string(const std::string& text) {
  if (text == "admin") return UserRole::kAdmin;
  if (text == "labeler") return UserRole::kLabeler;
  throw Error(ErrorCode::kInvalidArgument, "unknown role '" + text + "' (admin or labeler)");
}

}  // namespace boxloop
