// Turns a network's raw output for one image into scored candidate boxes, before NMS.
#pragma once

#include <torch/torch.h>

namespace boxloop {

// Candidate detections of one image; all tensors on the CPU, float unless noted.
struct Candidates {
  torch::Tensor boxes;    // M x 4: x1, y1, x2, y2 in network-input pixels, clipped to the input
  torch::Tensor scores;   // M
  torch::Tensor classes;  // M, int64: argmax of the class probabilities
  torch::Tensor probs;    // M x K: class probabilities, each row sums to 1
};

// FastestDet's published map of one image (5 + K x H x W, see fastestdet.h): per cell
// score = obj^0.6 * max(cls)^0.4; centre = (tanh(reg0,1) + cell) / grid, size = sigmoid(reg2,3),
// both relative to the input. Keeps cells with score >= score_threshold, at most top_k of them.
Candidates decode_fastestdet(const torch::Tensor& map, int input_size, float score_threshold,
                             int top_k = 1000);

// RetinaNet for one image: `class_logits` A x K (sigmoid per class), `deltas` A x 4 (see
// box_coder.h), `anchors` A x 4 (x1, y1, x2, y2). A candidate per anchor whose best class scores
// >= score_threshold (score = that sigmoid); probs = the sigmoids normalised to sum 1 (RetinaNet's
// classes are independent; the normalised vector is what the query sampler compares).
Candidates decode_retinanet(const torch::Tensor& class_logits, const torch::Tensor& deltas,
                            const torch::Tensor& anchors, int input_size, float score_threshold,
                            int top_k = 1000);

}  // namespace boxloop
