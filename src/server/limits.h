// The limits every request is held to, in one place so that the checks, docs/api.md ("Limits")
// and the tests agree. Body sizes and timeouts are ServerOptions (server.h); the settings' ranges
// live with the settings (store/settings.h).
#pragma once

#include <cstddef>

#include "formats/label_checks.h"

namespace boxloop::server::limits {

// Nesting of arrays and objects in a JSON body; no route needs more than 4.
inline constexpr int kMaxJsonDepth = 64;
// A label event's comment, stored and sent with every GET of its image.
inline constexpr std::size_t kMaxCommentBytes = 10'000;
// Boxes in one save; a dense photo of cards has a few dozen.
inline constexpr std::size_t kMaxBoxesPerImage = 2'000;
// A save's measured active seconds: a day. The page cuts idle gaps, so anything longer is a
// broken clock, not work.
inline constexpr double kMaxActiveSeconds = 86'400;
// A box's width and height after clipping to the image: one pixel, defined with check_box_size
// (formats/label_checks.h), which holds the API and imported label files to it alike.
inline constexpr double kMinBoxPixels = boxloop::kMinBoxPixels;
// |x|, |y|, w and h before clipping; beyond this no box can touch any image the store accepts.
inline constexpr double kMaxCoordinate = 1e9;
inline constexpr std::size_t kMaxUserNameBytes = 256;
inline constexpr std::size_t kMaxPasswordBytes = 1024;
// Files in one upload (cpp-httplib's own cap for the bodies it reads itself).
inline constexpr std::size_t kMaxUploadFiles = 1024;

}  // namespace boxloop::server::limits
