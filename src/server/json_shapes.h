// JSON shapes of the store's records as docs/api.md describes them (core/json.h has the core
// types; these are the store's own).
#pragma once

#include "core/json.h"
#include "store/store.h"

namespace boxloop::server {

Json label_event_json(const LabelEvent& event);
Json job_json(const Job& job);
Json model_json(const ModelRecord& model);
Json user_json(const User& user);
// {images:{total,unlabeled,labeled,skipped}, categories:[{id,name,color,boxes,images}]}
Json counts_json(Store& store);
// {image, annotations, proposals, proposal_model_id} of one image: the proposals of the model
// that scored the queue, above the project's threshold, while the image is unlabeled
// (loop/state/proposals.h); an empty list and null otherwise.
Json image_with_annotations(Store& store, const Image& image);
// The same shape when there is no image: {image: null, annotations: [], proposals: [],
// proposal_model_id: null}.
Json no_image_json();

}  // namespace boxloop::server
