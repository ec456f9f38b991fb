#include "train/weight_average.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "detector/pretrained.h"

namespace boxloop {

WeightAverage::WeightAverage(Detector& model, double window) : window_(window) {
  if (!(window >= 1)) {
    throw Error{ErrorCode::kInvalidArgument, "the weight-average window must be at least 1 step"};
  }
  average_ = make_detector(model.config());
  torch::NoGradGuard no_grad;
  load_state_dict_by_name(*average_, module_state(model));
  const torch::Device device =
      model.parameters().empty() ? torch::Device(torch::kCPU) : model.parameters().front().device();
  average_->to(device);
  average_->eval();
  for (auto& p : average_->parameters()) p.set_requires_grad(false);
}

void WeightAverage::resume(Detector& saved_average, int updates) {
  torch::NoGradGuard no_grad;
  load_state_dict_by_name(*average_, module_state(saved_average));
  updates_ = updates;
}

double WeightAverage::decay_at(int update) const {
  return (1.0 - 1.0 / window_) * (1.0 - std::exp(-static_cast<double>(update) / window_));
}

void WeightAverage::update(Detector& model) {
  torch::NoGradGuard no_grad;
  ++updates_;
  const double d = decay_at(updates_);
  // Same architecture and configuration, so the two modules list their tensors in one order.
  const auto fold = [d](torch::Tensor& avg, const torch::Tensor& now) {
    if (avg.is_floating_point()) {
      avg.mul_(d).add_(now.detach(), 1.0 - d);
    } else {
      avg.copy_(now);
    }
  };
  auto avg_params = average_->parameters();
  const auto now_params = model.parameters();
  auto avg_buffers = average_->buffers();
  const auto now_buffers = model.buffers();
  if (avg_params.size() != now_params.size() || avg_buffers.size() != now_buffers.size()) {
    throw Error{ErrorCode::kInternal, "weight average: the model's tensors changed during the run"};
  }
  for (std::size_t i = 0; i < avg_params.size(); ++i) fold(avg_params[i], now_params[i]);
  for (std::size_t i = 0; i < avg_buffers.size(); ++i) fold(avg_buffers[i], now_buffers[i]);
}

double default_average_window(int total_steps) { return std::max(5.0, total_steps / 10.0); }

}  // namespace boxloop
