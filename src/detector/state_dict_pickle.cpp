#include "detector/state_dict_pickle.h"

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <variant>

#include "core/error.h"

namespace boxloop {

namespace {

struct Value;
using ValuePtr = std::shared_ptr<Value>;
struct Mark {};
struct None {};
struct Global {
  std::string module, name;
};
struct Storage {
  PickledTensor spec;
};
using Items = std::vector<ValuePtr>;
struct Tuple {
  Items items;
};
struct List {
  Items items;
};
struct Dict {
  std::vector<std::pair<ValuePtr, ValuePtr>> items;
};
struct Tensor {
  PickledTensor spec;
};

struct Value {
  std::variant<Mark, None, bool, int64_t, double, std::string, Global, Storage, Tuple, List, Dict,
               Tensor>
      v;
};

ValuePtr make(auto x) { return std::make_shared<Value>(Value{std::move(x)}); }

[[noreturn]] void corrupt(const std::string& what) {
  throw Error(ErrorCode::kCorrupt, "malformed state_dict pickle: " + what);
}

std::optional<torch::ScalarType> storage_dtype(const std::string& name) {
  static const std::map<std::string, torch::ScalarType> kTypes = {
      {"FloatStorage", torch::kFloat}, {"DoubleStorage", torch::kDouble},
      {"HalfStorage", torch::kHalf},   {"BFloat16Storage", torch::kBFloat16},
      {"LongStorage", torch::kLong},   {"IntStorage", torch::kInt},
      {"ShortStorage", torch::kShort}, {"CharStorage", torch::kChar},
      {"ByteStorage", torch::kByte},   {"BoolStorage", torch::kBool}};
  auto it = kTypes.find(name);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

class Parser {
 public:
  explicit Parser(const std::string& data) : data_(data) {}

  ValuePtr run() {
    while (true) {
      const auto op = static_cast<unsigned char>(byte());
      switch (op) {
        case 0x80:
          byte();
          break;  // PROTO
        case 0x95:
          pos_ += 8;
          break;  // FRAME (protocol 4)
        case '.':
          return pop();  // STOP
        case '(':
          marks_.push_back(stack_.size());
          break;  // MARK
        case 'N':
          push(make(None{}));
          break;
        case 0x88:
          push(make(true));
          break;  // NEWTRUE
        case 0x89:
          push(make(false));
          break;  // NEWFALSE
        case 'K':
          push(make(int64_t(uint8_t(byte()))));
          break;  // BININT1
        case 'M':
          push(make(int64_t(uint16_t(le(2)))));
          break;  // BININT2
        case 'J':
          push(make(int64_t(int32_t(le(4)))));
          break;  // BININT
        case 0x8a:
          push(make(long1()));
          break;  // LONG1
        case 'G':
          push(make(binfloat()));
          break;  // BINFLOAT
        case 'X':
          push(make(text(le(4))));
          break;  // BINUNICODE
        case 0x8c:
          push(make(text(uint8_t(byte()))));
          break;  // SHORT_BINUNICODE
        case 'U':
          push(make(text(uint8_t(byte()))));
          break;  // SHORT_BINSTRING
        case 'T':
          push(make(text(le(4))));
          break;  // BINSTRING
        case 0x8d:
          push(make(text(le(8))));
          break;  // BINUNICODE8
        case ')':
          push(make(Tuple{}));
          break;  // EMPTY_TUPLE
        case 0x85:
          push(make(Tuple{take(1)}));
          break;  // TUPLE1
        case 0x86:
          push(make(Tuple{take(2)}));
          break;  // TUPLE2
        case 0x87:
          push(make(Tuple{take(3)}));
          break;  // TUPLE3
        case 't':
          push(make(Tuple{pop_mark()}));
          break;  // TUPLE
        case ']':
          push(make(List{}));
          break;  // EMPTY_LIST
        case 'l':
          push(make(List{pop_mark()}));
          break;  // LIST
        case 'a':
          append(take(1));
          break;  // APPEND
        case 'e':
          append(pop_mark());
          break;  // APPENDS
        case '}':
          push(make(Dict{}));
          break;  // EMPTY_DICT
        case 's':
          set_items(take(2));
          break;  // SETITEM
        case 'u':
          set_items(pop_mark());
          break;  // SETITEMS
        case 'q':
          memo_[uint8_t(byte())] = top();
          break;  // BINPUT
        case 'r':
          memo_[le(4)] = top();
          break;  // LONG_BINPUT
        case 0x94:
          memo_[memo_.size()] = top();
          break;  // MEMOIZE
        case 'h':
          push(memo(uint8_t(byte())));
          break;  // BINGET
        case 'j':
          push(memo(le(4)));
          break;  // LONG_BINGET
        case '0':
          pop();
          break;     // POP
        case 'c': {  // GLOBAL
          auto module = line();
          push(make(Global{module, line()}));
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          auto name = pop(), module = pop();
          push(make(Global{as_string(module), as_string(name)}));
          break;
        }
        case 'Q':
          push(persistent(pop()));
          break;     // BINPERSID
        case 'R': {  // REDUCE
          auto args = pop();
          push(reduce(pop(), args));
          break;
        }
        case 'b':
          pop();
          break;  // BUILD: the state is an OrderedDict's _metadata; not needed
        default:
          throw Error(ErrorCode::kUnsupported, "the .pth pickle uses opcode " + std::to_string(op) +
                                                   ", which this state_dict reader does not know");
      }
    }
  }

 private:
  char byte() {
    if (pos_ >= data_.size()) corrupt("ends early");
    return data_[pos_++];
  }
  uint64_t le(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t(uint8_t(byte())) << (8 * i);
    return v;
  }
  int64_t long1() {
    const int n = uint8_t(byte());
    if (n > 8) corrupt("integer too long");
    uint64_t v = le(n);
    if (n > 0 && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t(0) << (8 * n);  // sign-extend
    return static_cast<int64_t>(v);
  }
  double binfloat() {
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = (bits << 8) | uint8_t(byte());  // big-endian
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  std::string text(uint64_t n) {
    if (n > data_.size() - pos_) corrupt("string runs past the end");
    std::string s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string line() {
    auto end = data_.find('\n', pos_);
    if (end == std::string::npos) corrupt("unterminated GLOBAL");
    std::string s = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  void push(ValuePtr v) { stack_.push_back(std::move(v)); }
  ValuePtr top() {
    if (stack_.empty()) corrupt("empty stack");
    return stack_.back();
  }
  ValuePtr pop() {
    auto v = top();
    stack_.pop_back();
    return v;
  }
  Items take(size_t n) {
    if (stack_.size() < n) corrupt("stack underflow");
    Items items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
    stack_.resize(stack_.size() - n);
    return items;
  }
  Items pop_mark() {
    if (marks_.empty() || marks_.back() > stack_.size()) corrupt("MARK missing");
    const size_t mark = marks_.back();
    marks_.pop_back();
    return take(stack_.size() - mark);
  }
  ValuePtr memo(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) corrupt("memo " + std::to_string(key) + " unset");
    return it->second;
  }
  void append(const Items& items) {
    auto* list = std::get_if<List>(&top()->v);
    if (!list) corrupt("APPEND to a non-list");
    list->items.insert(list->items.end(), items.begin(), items.end());
  }
  void set_items(const Items& items) {
    auto* dict = std::get_if<Dict>(&top()->v);
    if (!dict) corrupt("SETITEM on a non-dict");
    if (items.size() % 2) corrupt("odd SETITEMS");
    for (size_t i = 0; i < items.size(); i += 2) dict->items.emplace_back(items[i], items[i + 1]);
  }
  static const std::string& as_string(const ValuePtr& v) {
    auto* s = std::get_if<std::string>(&v->v);
    if (!s) corrupt("expected a string");
    return *s;
  }
  static int64_t as_int(const ValuePtr& v) {
    if (auto* i = std::get_if<int64_t>(&v->v)) return *i;
    corrupt("expected an integer");
  }
  static std::vector<int64_t> as_ints(const ValuePtr& v) {
    auto* t = std::get_if<Tuple>(&v->v);
    if (!t) corrupt("expected a tuple of integers");
    std::vector<int64_t> out;
    for (const auto& item : t->items) out.push_back(as_int(item));
    return out;
  }
  static const Items& tuple_items(const ValuePtr& v) {
    auto* t = std::get_if<Tuple>(&v->v);
    if (!t) corrupt("expected a tuple");
    return t->items;
  }

  // ('storage', <torch XStorage>, key, location, numel)
  ValuePtr persistent(const ValuePtr& id) {
    const auto& t = tuple_items(id);
    if (t.size() < 5 || as_string(t[0]) != "storage") corrupt("unknown persistent id");
    auto* type = std::get_if<Global>(&t[1]->v);
    auto dtype = type ? storage_dtype(type->name) : std::nullopt;
    if (!dtype) {
      throw Error(ErrorCode::kUnsupported,
                  "the .pth holds a storage type this reader does not know");
    }
    Storage s;
    s.spec.dtype = *dtype;
    s.spec.storage_key = as_string(t[2]);
    s.spec.saved_device = as_string(t[3]);
    s.spec.storage_numel = as_int(t[4]);
    return make(s);
  }

  ValuePtr reduce(const ValuePtr& callable, const ValuePtr& args) {
    auto* g = std::get_if<Global>(&callable->v);
    if (!g) corrupt("REDUCE of a non-global");
    const auto& a = tuple_items(args);
    const std::string name = g->module + "." + g->name;
    if (name == "collections.OrderedDict") return make(Dict{});
    // LibTorch's own pickler wraps typed containers: restore_type_tag(value, "Dict[str, Tensor]").
    if (name == "torch.jit._pickle.restore_type_tag" && !a.empty()) return a[0];
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
      if (a.size() < 4) corrupt("short _rebuild_tensor arguments");
      auto* storage = std::get_if<Storage>(&a[0]->v);
      if (!storage) corrupt("tensor without storage");
      Tensor t{storage->spec};
      t.spec.offset = as_int(a[1]);
      t.spec.sizes = as_ints(a[2]);
      t.spec.strides = as_ints(a[3]);
      return make(t);
    }
    if (name == "torch._utils._rebuild_parameter") {
      if (a.empty() || !std::holds_alternative<Tensor>(a[0]->v)) corrupt("bad parameter");
      return a[0];
    }
    throw Error(ErrorCode::kUnsupported,
                "the .pth pickles a " + name +
                    " object; only a dict of tensors (a state_dict) can be read here");
  }

  const std::string& data_;
  size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::map<uint64_t, ValuePtr> memo_;
};

std::vector<std::pair<std::string, PickledTensor>> tensors_of(const ValuePtr& root, int depth) {
  auto* dict = std::get_if<Dict>(&root->v);
  if (!dict) {
    throw Error(
        ErrorCode::kUnsupported,
        "it holds no dict of tensors, so it is not a state_dict (save model.state_dict(), not "
        "the model)");
  }
  if (depth == 0) {
    for (const auto& [k, v] : dict->items) {
      auto* key = std::get_if<std::string>(&k->v);
      if (key && (*key == "state_dict" || *key == "model" || *key == "model_state_dict") &&
          std::holds_alternative<Dict>(v->v)) {
        return tensors_of(v, depth + 1);
      }
    }
  }
  std::vector<std::pair<std::string, PickledTensor>> out;
  for (const auto& [k, v] : dict->items) {
    auto* key = std::get_if<std::string>(&k->v);
    auto* tensor = std::get_if<Tensor>(&v->v);
    if (key && tensor) out.emplace_back(*key, tensor->spec);
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, PickledTensor>> parse_state_dict_pickle(
    const std::string& pickle) {
  return tensors_of(Parser(pickle).run(), 0);
}

torch::Tensor materialise(const PickledTensor& spec, const void* data, size_t bytes) {
  const auto element = static_cast<int64_t>(c10::elementSize(spec.dtype));
  if (static_cast<int64_t>(bytes) < spec.storage_numel * element) {
    corrupt("storage " + spec.storage_key + " is shorter than its tensor");
  }
  // The furthest element the view reaches must lie inside the storage.
  int64_t last = spec.offset;
  for (size_t i = 0; i < spec.sizes.size() && i < spec.strides.size(); ++i) {
    if (spec.sizes[i] == 0) return torch::empty(spec.sizes, torch::TensorOptions(spec.dtype));
    last += (spec.sizes[i] - 1) * spec.strides[i];
  }
  if (spec.sizes.size() != spec.strides.size() ||
      last >= std::max<int64_t>(spec.storage_numel, 1)) {
    corrupt("tensor view outside its storage " + spec.storage_key);
  }
  auto storage = torch::from_blob(const_cast<void*>(data), {spec.storage_numel},
                                  torch::TensorOptions(spec.dtype));
  return storage.as_strided(spec.sizes, spec.strides, spec.offset).clone();
}

}  // namespace boxloop
