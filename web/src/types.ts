// The JSON shapes of the boxloop HTTP API (docs/api.md, src/core/json.cpp).

export type Role = 'admin' | 'labeler';
export type ImageStatus = 'unlabeled' | 'labeled' | 'skipped';
export type BoxSource = 'human' | 'model';

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
}

// ---- active learning ----

export type Zone = 'green' | 'orange' | 'red';

// The halting criterion of the queue on the normalised 0..1 uncertainty scale: red below
// red_below, green from green_from, orange between; at and below flat_until the uncertainties are
// spread like random ones, so ordering by them gains nothing there.
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
  position: number; // 0..1 on the halting scale
  zone: Zone;
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
}

export interface SavePayload {
  version: number;
  boxes: BoxPayload[];
  comment?: string;
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
