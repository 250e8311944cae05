// Data-movement kernels: Transpose, Concat, Split, Slice, Gather, Expand, Tile. They move
// elements of any type (numbers by size, strings by assignment) and never look at values,
// except Gather's indices.
#include <algorithm>
#include <cstring>

#include "core/shape.h"
#include "runtime/onnx/kernels/broadcast.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/shape_ops.h"

namespace finserve::runtime::onnx {
namespace {

// Copies out[i] = in[offset(i)] where offset walks `in_strides` over the output dims.
template <typename T>
void StridedCopy(const T* in, T* out, const Dims& out_shape, const Dims& in_strides, int64_t base) {
  const size_t rank = out_shape.size();
  int64_t total = 1;
  for (int64_t d : out_shape) total *= d;
  if (total == 0) return;
  if (rank == 0) {
    out[0] = in[base];
    return;
  }
  Dims index(rank, 0);
  int64_t offset = base;
  const int64_t inner = out_shape[rank - 1], inner_stride = in_strides[rank - 1];
  for (int64_t o = 0; o < total; o += inner) {
    if (inner_stride == 1) {  // rows stay rows (Transpose keeping the last axis, Slice): a block copy
      std::copy(in + offset, in + offset + inner, out + o);
    } else {
      for (int64_t i = 0; i < inner; ++i) out[o + i] = in[offset + i * inner_stride];
    }
    for (size_t d = rank - 1; d-- > 0;) {
      offset += in_strides[d];
      if (++index[d] < out_shape[d]) break;
      offset -= in_strides[d] * out_shape[d];
      index[d] = 0;
    }
  }
}

Status StridedCopyAny(const TensorData& in, TensorData* out, const Dims& in_strides, int64_t base) {
  return DispatchByElementSize<bool>(in.dtype, [&](auto tag) {
           using T = typename decltype(tag)::type;
           StridedCopy<T>(in.data_as<T>(), out->mutable_data_as<T>(), out->shape, in_strides, base);
           return true;
         }).status();
}

class TransposeKernel final : public Kernel {
 public:
  explicit TransposeKernel(std::vector<int64_t> perm) : perm_(std::move(perm)) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    std::vector<int64_t> perm = perm_;
    if (perm.empty()) {
      for (size_t i = x.rank(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    }
    if (perm.size() != x.rank()) return InvalidArgument("Transpose perm has " + std::to_string(perm.size()) + " entries for rank " + std::to_string(x.rank()));
    const Dims strides = RowMajorStrides(x.shape);
    Dims shape(x.rank(), 0);
    Dims in_strides(x.rank(), 0);
    std::vector<bool> seen(x.rank(), false);
    for (size_t i = 0; i < perm.size(); ++i) {
      FS_ASSIGN_OR_RETURN(int p, NormalizeAxis(perm[i], x.rank()));
      if (seen[p]) return InvalidArgument("Transpose perm repeats axis " + std::to_string(p));
      seen[p] = true;
      shape[i] = x.shape[p];
      in_strides[i] = strides[p];
    }
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, std::move(shape)));
    return StridedCopyAny(x, y, in_strides, 0);
  }

 private:
  std::vector<int64_t> perm_;
};

class ConcatKernel final : public Kernel {
 public:
  explicit ConcatKernel(int64_t axis) : axis_(axis) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& first = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, first.rank()));
    Dims shape = first.shape;
    shape[axis] = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const TensorData& in = ctx.Input(i);
      for (size_t d = 0; d < in.rank() || d < first.rank(); ++d) {
        if (in.rank() != first.rank() || (static_cast<int>(d) != axis && in.shape[d] != first.shape[d])) {
          return InvalidArgument("Concat: input " + std::to_string(i) + " has shape " + DimsToString(in.shape) +
                                 ", incompatible with " + DimsToString(first.shape) + " on axis " + std::to_string(axis));
        }
      }
      shape[axis] += in.shape[axis];
    }
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, shape));
    const int64_t outer = Product(shape, 0, axis), inner = Product(shape, axis + 1, shape.size());
    const size_t es = ElementSize(y->dtype);
    int64_t out_offset = 0;
    for (int64_t o = 0; o < outer; ++o) {
      for (size_t i = 0; i < ctx.num_inputs(); ++i) {
        const TensorData& in = ctx.Input(i);
        const int64_t chunk = in.shape[axis] * inner;
        CopyElements(y->dtype, static_cast<const char*>(in.data) + o * chunk * es,
                     static_cast<char*>(y->data) + out_offset * es, chunk);
        out_offset += chunk;
      }
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

class SplitKernel final : public Kernel {
 public:
  SplitKernel(int64_t axis, std::vector<int64_t> split, bool split_from_input, int num_outputs)
      : axis_(axis), split_(std::move(split)), split_from_input_(split_from_input), num_outputs_(num_outputs) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, x.rank()));
    std::vector<int64_t> split = split_;
    if (split_from_input_ && ctx.input(1) != nullptr) {
      FS_ASSIGN_OR_RETURN(split, ReadInts(*ctx.input(1)));
    }
    const int64_t dim = x.shape[axis];
    if (split.empty()) {
      if (dim % num_outputs_ != 0) {
        return InvalidArgument("Split: dim " + std::to_string(dim) + " does not divide into " + std::to_string(num_outputs_) + " equal parts");
      }
      split.assign(num_outputs_, dim / num_outputs_);
    }
    int64_t total = 0;
    for (int64_t s : split) {
      if (s < 0 || s > dim) return InvalidArgument("Split: size " + std::to_string(s) + " is out of range for dim " + std::to_string(dim));
      total += s;
    }
    if (static_cast<int>(split.size()) != num_outputs_ || total != dim) {
      return InvalidArgument("Split: sizes do not add up to dim " + std::to_string(dim) + " for " + std::to_string(num_outputs_) + " outputs");
    }
    const int64_t outer = Product(x.shape, 0, axis), inner = Product(x.shape, axis + 1, x.rank());
    const size_t es = ElementSize(x.dtype);
    int64_t start = 0;
    for (int k = 0; k < num_outputs_; ++k) {
      Dims shape = x.shape;
      shape[axis] = split[k];
      if (ctx.has_output(k)) {
        FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(k, shape));
        const int64_t chunk = split[k] * inner;
        for (int64_t o = 0; o < outer; ++o) {
          CopyElements(x.dtype, static_cast<const char*>(x.data) + (o * dim + start) * inner * es,
                       static_cast<char*>(y->data) + o * chunk * es, chunk);
        }
      }
      start += split[k];
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
  std::vector<int64_t> split_;
  bool split_from_input_;
  int num_outputs_;
};

class SliceKernel final : public Kernel {
 public:
  SliceKernel(std::vector<int64_t> starts, std::vector<int64_t> ends, std::vector<int64_t> axes, bool from_inputs)
      : starts_(std::move(starts)), ends_(std::move(ends)), axes_(std::move(axes)), from_inputs_(from_inputs) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    std::vector<int64_t> starts = starts_, ends = ends_, axes = axes_, steps;
    if (from_inputs_) {
      FS_ASSIGN_OR_RETURN(starts, ReadInts(ctx.Input(1)));
      FS_ASSIGN_OR_RETURN(ends, ReadInts(ctx.Input(2)));
      if (ctx.input(3) != nullptr) {
        FS_ASSIGN_OR_RETURN(axes, ReadInts(*ctx.input(3)));
      }
      if (ctx.input(4) != nullptr) {
        FS_ASSIGN_OR_RETURN(steps, ReadInts(*ctx.input(4)));
      }
    }
    if (axes.empty()) {
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    }
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
      return InvalidArgument("Slice: starts, ends, axes and steps must have the same length");
    }
    const Dims strides = RowMajorStrides(x.shape);
    Dims shape = x.shape;
    Dims in_strides = strides;
    std::vector<bool> seen(x.rank(), false);
    int64_t base = 0;
    for (size_t i = 0; i < starts.size(); ++i) {
      FS_ASSIGN_OR_RETURN(int a, NormalizeAxis(axes[i], x.rank()));
      if (seen[a]) return InvalidArgument("Slice: axis " + std::to_string(a) + " is repeated");
      seen[a] = true;
      const int64_t dim = x.shape[a];
      if (steps[i] == 0) return InvalidArgument("Slice: step must not be 0");
      // A step longer than the dim selects at most one element; clamping it keeps strides finite.
      const int64_t step = std::clamp<int64_t>(steps[i], -std::max<int64_t>(dim, 1), std::max<int64_t>(dim, 1));
      int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (ends[i] < 0 && ends[i] < -dim) e = -1;  // very negative ends clamp below 0
      if (step > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
      } else {
        s = std::clamp<int64_t>(s, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
      }
      const int64_t count = step > 0 ? (e > s ? (e - s + step - 1) / step : 0) : (s > e ? (s - e - step - 1) / -step : 0);
      shape[a] = count;
      base += count > 0 ? s * strides[a] : 0;
      in_strides[a] = strides[a] * step;
    }
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, std::move(shape)));
    return StridedCopyAny(x, y, in_strides, base);
  }

 private:
  std::vector<int64_t> starts_, ends_, axes_;
  bool from_inputs_;
};

class GatherKernel final : public Kernel {
 public:
  explicit GatherKernel(int64_t axis) : axis_(axis) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(std::vector<int64_t> indices, ReadInts(ctx.Input(1)));
    const Dims& ishape = ctx.Input(1).shape;
    FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, x.rank()));
    const int64_t dim = x.shape[axis];
    for (int64_t& i : indices) {
      if (i < -dim || i >= dim) return InvalidArgument("Gather: index " + std::to_string(i) + " is out of range for dim " + std::to_string(dim));
      if (i < 0) i += dim;
    }
    Dims shape(x.shape.begin(), x.shape.begin() + axis);
    shape.insert(shape.end(), ishape.begin(), ishape.end());
    shape.insert(shape.end(), x.shape.begin() + axis + 1, x.shape.end());
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, std::move(shape)));
    const int64_t outer = Product(x.shape, 0, axis), inner = Product(x.shape, axis + 1, x.rank());
    const size_t es = ElementSize(x.dtype);
    const auto n = static_cast<int64_t>(indices.size());
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k = 0; k < n; ++k) {
        CopyElements(x.dtype, static_cast<const char*>(x.data) + ((o * dim + indices[k]) * inner) * es,
                     static_cast<char*>(y->data) + ((o * n + k) * inner) * es, inner);
      }
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

// Expand (output = broadcast(input shape, requested shape)) and Tile (repeat per dim).
class ExpandKernel final : public Kernel {
 public:
  explicit ExpandKernel(bool tile) : tile_(tile) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(std::vector<int64_t> arg, ReadInts(ctx.Input(1)));
    if (tile_) return Tile(ctx, x, arg);
    for (int64_t d : arg) {
      if (d < 0) return InvalidArgument("Expand: negative dim in " + DimsToString(arg));
    }
    const Dims target(arg);
    const Dims* shapes[] = {&x.shape, &target};
    FS_ASSIGN_OR_RETURN(Dims shape, BroadcastShape(shapes));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, std::move(shape)));
    // Input strides aligned to the output, 0 where broadcast.
    Dims strides(y->rank(), 0);
    const Dims own = RowMajorStrides(x.shape);
    const size_t pad = y->rank() - x.rank();
    for (size_t d = 0; d < x.rank(); ++d) strides[pad + d] = x.shape[d] == 1 ? 0 : own[d];
    return StridedCopyAny(x, y, strides, 0);
  }

 private:
  Status Tile(KernelContext& ctx, const TensorData& x, const std::vector<int64_t>& repeats) const {
    if (repeats.size() != x.rank()) return InvalidArgument("Tile: repeats must have one entry per input dim");
    // Viewed as [r0, d0, r1, d1, ...] with stride 0 on the repeat dims.
    Dims view, out_shape;
    Dims strides;
    const Dims own = RowMajorStrides(x.shape);
    for (size_t d = 0; d < x.rank(); ++d) {
      if (repeats[d] < 0) return InvalidArgument("Tile: negative repeat");
      view.insert(view.end(), {repeats[d], x.shape[d]});
      strides.insert(strides.end(), {0, own[d]});
      out_shape.push_back(repeats[d] * x.shape[d]);
    }
    FS_RETURN_IF_ERROR(Shape::CheckedElementCount(out_shape, kMaxTensorElements).status());
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, out_shape));
    TensorData as_view = *y;
    as_view.shape = view;
    return StridedCopyAny(x, &as_view, strides, 0);
  }
  bool tile_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateTranspose(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> perm, info.attrs().GetInts("perm"));
  return std::unique_ptr<Kernel>(new TransposeKernel(std::move(perm)));
}

Result<std::unique_ptr<Kernel>> CreateConcat(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t axis, info.attrs().RequireInt("axis"));
  for (size_t i = 1; i < info.num_inputs(); ++i) {
    if (info.input_type(i) != info.input_type(0)) return info.Error("all inputs must have the same element type");
  }
  return std::unique_ptr<Kernel>(new ConcatKernel(axis));
}

Result<std::unique_ptr<Kernel>> CreateSplit(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t axis, info.attrs().GetInt("axis", 0));
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> split, info.attrs().GetInts("split"));
  return std::unique_ptr<Kernel>(
      new SplitKernel(axis, std::move(split), info.opset() >= 13, static_cast<int>(info.num_outputs())));
}

Result<std::unique_ptr<Kernel>> CreateSlice(const KernelInfo& info) {
  if (info.opset() >= 10) return std::unique_ptr<Kernel>(new SliceKernel({}, {}, {}, true));
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> starts, info.attrs().GetInts("starts"));
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> ends, info.attrs().GetInts("ends"));
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, info.attrs().GetInts("axes"));
  return std::unique_ptr<Kernel>(new SliceKernel(std::move(starts), std::move(ends), std::move(axes), false));
}

Result<std::unique_ptr<Kernel>> CreateGather(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t axis, info.attrs().GetInt("axis", 0));
  return std::unique_ptr<Kernel>(new GatherKernel(axis));
}

Result<std::unique_ptr<Kernel>> CreateExpand(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(new ExpandKernel(false));
}

Result<std::unique_ptr<Kernel>> CreateTile(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(new ExpandKernel(true));
}

}  // namespace finserve::runtime::onnx
