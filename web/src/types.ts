// The JSON shapes of the boxloop HTTP API (docs/api.md, src/core/json.cpp).

export type Role = 'admin' | 'labeler';
export type ImageStatus = 'unlabeled' | 'labeled' | 'skipped';
export type BoxSource = 'human' | 'model';
// How a box came to be: drawn by the labeler, a model proposal accepted as it was, or a proposal
// the labeler moved, resized or relabelled.
export type BoxOrigin = 'drawn' | 'accepted' | 'adjusted';

export interface User {
  name: string;
  role: Role;
}

export interface Category {
  id: number;
  name: string;
  hotkey: string;
  color: string;
  position: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Image {
  id: number;
  path: string;
  sha256: string;
  width: number;
  height: number;
  added_at: string;
  status: ImageStatus;
  version: number;
}

export interface Annotation {
  id: number;
  category_id: number;
  box: Rect;
  source: BoxSource;
  score: number | null;
  origin?: BoxOrigin; // absent from servers older than proposals: drawn
}

// A detection of the model that scored the queue, offered on an unlabeled image to accept or fix.
// Pixels of the original image, top-left origin.
export interface ProposalJson {
  category_id: number;
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
}

export interface LabelEvent {
  id: number;
  image_id: number;
  labeler: string;
  comment: string;
  status: ImageStatus;
  box_count: number;
  created_at: string;
  version: number;
  // The effort the save recorded (active_seconds null when the save measured no time, e.g. a
  // script's; all absent from servers older than effort).
  active_seconds?: number | null;
  drawn?: number;
  accepted?: number;
  adjusted?: number;
  rejected?: number;
}

export interface CategoryCount {
  id: number;
  name: string;
  color: string;
  boxes: number;
  images: number;
}

export interface Counts {
  images: { total: number; unlabeled: number; labeled: number; skipped: number };
  categories: CategoryCount[];
}

// Effort per labeler or per round (GET /api/stats `effort`).
export interface EffortFigures {
  images: number;
  boxes: number;
  active_seconds: number;
  seconds_per_image: number | null;
  seconds_per_box: number | null;
  accepted_share: number | null; // share of the boxes accepted as the model proposed them
}

export interface LabelerEffort extends EffortFigures {
  labeler: string;
}

export interface RoundEffort extends EffortFigures {
  model_id: number | null; // the model whose proposals (and queue) the images were labeled under
}

export interface EffortStats {
  per_labeler: LabelerEffort[];
  per_round: RoundEffort[];
}

// GET /api/stats: the counts, and the effort where the server records it.
export interface Stats extends Counts {
  effort?: EffortStats;
}

export interface Project {
  name: string;
  categories: Category[];
  settings: Record<string, unknown>;
  counts: Counts;
}

// An image with its current boxes, as /api/next, /api/previous and /api/images/{id} answer.
export interface ImageWithBoxes {
  image: Image;
  annotations: Annotation[];
  events?: LabelEvent[];
  // Where the image sits in the query queue (GET /api/next); null or absent when not queued.
  query?: QueryPosition | null;
  // The model's detections above the project's proposal threshold, only while the image is
  // unlabeled (empty otherwise, or when there is no model), and the model they came from.
  proposals?: ProposalJson[];
  proposal_model_id?: number | null;
}

// ---- active learning ----

export type Zone = 'green' | 'orange' | 'red';

// The halting criterion (src/active/halting.h) on the queue scale: 0..1 is a share of the queue
// counted from its least uncertain end, each image an equal slice. Red at or below red_below,
// green from green_from, orange between; at and below flat_until the next image beats a random
// pick from the rest of the queue by less than the tolerance, so the order gains nothing there.
export interface Halting {
  size: number;
  flat_until: number;
  red_below: number;
  green_from: number;
  min: number;
  max: number;
  edges: number[];
}

// GET /api/queue when a queue exists.
export interface QueueInfo {
  model_id: number | null;
  strategy: string;
  created_at: string | null;
  size: number;
  halting: Halting | null;
}

export interface QueryPosition {
  rank: number;
  uncertainty: number;
  // 0..1 on the queue scale (the middle of its slice); null when the queue has no halting scale
  // (the first batch, ordered before any model).
  position: number | null;
  zone: Zone | null;
}

export type LoopStateName = 'idle' | 'queued' | 'training' | 'scoring';

// GET/PUT /api/loop and the `loop` event.
export interface LoopState {
  enabled: boolean;
  every: number;
  strategy: string;
  strategies: string[];
  labels_since_round: number;
  next_round_in: number;
  state: LoopStateName;
  job: Job | null;
  models: number;
}

// ---- the audit curve and the stop signal (GET /api/loop/curve) ----

// A round model's score on the audit set (images drawn at random and never trained on):
// mAP@0.5 and mAP@0.5:0.95 with their bootstrap intervals.
export interface AuditScore {
  images: number;
  boxes: number;
  map50: number;
  map50_low: number;
  map50_high: number;
  map: number;
  map_low: number;
  map_high: number;
}

// How far the round's model agrees with the previous round's on a fixed sample of unlabeled
// images (F1 of class-aware matches at IoU 0.5): near 1 means its predictions stopped changing.
export interface Agreement {
  f1: number;
  sample: number;
  previous_model_id: number | null;
}

export interface CurveRound {
  model_id: number;
  created_at: string;
  trained_on: number;
  labeled_images: number; // labeled when the round started
  labeled_boxes: number;
  audit: AuditScore | null; // null: no labeled audit image when the round was scored
  agreement: Agreement | null; // null for the first round (no previous model)
}

export interface StopSignal {
  threshold: number;
  rounds_needed: number;
  rounds_above: number;
  stopped_changing: boolean;
  message: string;
}

export interface LoopCurve {
  audit: { fraction: number; images: number; boxes: number }; // audit images labeled so far
  rounds: CurveRound[];
  stop: StopSignal;
  note: string | null; // why there is no audit curve, e.g. every image was imported labeled
}

export interface LoopSettingsPatch {
  enabled?: boolean;
  every?: number;
  strategy?: string;
}

// A box as the page sends it in a save.
export interface BoxPayload {
  category_id: number;
  x: number;
  y: number;
  w: number;
  h: number;
  source?: BoxSource;
  score?: number;
  origin?: BoxOrigin; // drawn when absent
}

// What labeling the image cost: seconds the page was in use on it (visible, focused, idle gaps
// cut) and the proposals the labeler rejected. The server counts drawn/accepted/adjusted boxes.
export interface SaveEffort {
  active_seconds: number;
  rejected: number;
}

export interface SavePayload {
  version: number;
  boxes: BoxPayload[];
  comment?: string;
  effort?: SaveEffort;
}

export interface SaveAnswer {
  image: Image;
  annotations: Annotation[];
  event: LabelEvent;
}

export interface SkipAnswer {
  image: Image;
  event: LabelEvent;
}

export interface EpochMetrics {
  epoch: number;
  loss?: number;
  val_map50?: number;
  [key: string]: unknown;
}

export interface Model {
  id: number;
  arch: string;
  trained_on: number;
  created_at: string;
  parent?: number | null;
  metrics: {
    epochs?: EpochMetrics[];
    val_map50?: number | null;
    audit?: AuditScore | null; // the final weights on the audit set
    [key: string]: unknown;
  };
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface Job {
  id: number;
  kind: string;
  state: JobState;
  progress: number;
  message: string;
  error?: string;
  created_at?: string;
  worker?: string | null; // the worker running it (boxloop worker --name, or host:pid)
  parent_id?: number | null; // the score job this one is a part of
}

// The `queue` event: a new queue was published.
export interface QueueEvent {
  model_id?: number | null;
  strategy?: string;
  size?: number;
  created_at?: string | null;
  message?: string;
}

export interface ApiErrorBody {
  error?: { code?: string; message?: string };
  current?: ImageWithBoxes;
}
