// Graph: the load-time picture of one ONNX GraphProto: named values with their declared or
// inferred types, and nodes in a topological order.
//
// Built in two steps: Graph::Build() resolves names, finds each value's producer, orders nodes
// topologically (Kahn) and refuses cycles (naming a node on the cycle), inputs that nothing
// produces (e.g. a missing initializer) and values produced twice. It then reads value types
// from graph inputs/outputs/value_info (so run shape inference first to know intermediates).
// Initializers are converted to OwnedTensors here. A Graph borrows the ModelProto's nodes
// (load time only; the executor keeps none of it). Not thread-safe; used by one loader.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/onnx/tensor_data.h"

namespace onnx {
class ModelProto;
class NodeProto;
class GraphProto;
}  // namespace onnx

namespace finserve::runtime::onnx {

struct GraphValue {
  std::string name;
  DataType dtype = DataType::kInvalid;  // kInvalid until types are known
  bool has_shape = false;               // rank known
  Dims dims;                            // -1 where unknown or symbolic
  std::vector<std::string> dim_params;  // symbolic dim names ("" where none), same rank as dims
  int producer = -1;                    // node index, or -1 for inputs and initializers
};

struct GraphNode {
  std::string name;     // as in the model (may be empty)
  std::string op_type;
  std::string domain;   // normalised: "" for ai.onnx
  int opset = 0;        // the model's opset import for `domain`
  std::vector<int> inputs;   // value ids; -1 for an omitted optional input
  std::vector<int> outputs;  // value ids; -1 for an omitted optional output
  const ::onnx::NodeProto* proto = nullptr;
};

// "node 'fc1' (op 'Gemm', domain 'ai.onnx', opset 13)"; unnamed nodes are shown as '#<index>'.
std::string DescribeNode(const GraphNode& node, int index);

class Graph {
 public:
  // Structure only (names, producers, order, cycles): cheap, used before the checker so that
  // structural errors get our message. Value types are left unknown.
  static Result<Graph> BuildStructure(const ::onnx::ModelProto& model);
  // Structure plus value types and initializers; run after shape inference.
  static Result<Graph> Build(const ::onnx::ModelProto& model, const std::string& model_dir);

  const std::vector<GraphValue>& values() const { return values_; }
  std::vector<GraphValue>& mutable_values() { return values_; }
  const std::vector<GraphNode>& nodes() const { return nodes_; }  // topological order
  const std::vector<int>& inputs() const { return inputs_; }      // graph inputs, not initializers
  const std::vector<int>& outputs() const { return outputs_; }
  std::map<int, OwnedTensor>& initializers() { return initializers_; }
  int FindValue(const std::string& name) const;  // -1 if absent

 private:
  int InternValue(const std::string& name);
  Status AddNodes(const ::onnx::ModelProto& model);
  Status SortTopologically();
  Status ReadTypes(const ::onnx::GraphProto& graph);
  Status ReadInitializers(const ::onnx::GraphProto& graph, const std::string& model_dir);

  std::vector<GraphValue> values_;
  std::map<std::string, int> value_ids_;
  std::vector<GraphNode> nodes_;
  std::vector<int> inputs_;
  std::vector<int> outputs_;
  std::map<int, OwnedTensor> initializers_;
  std::vector<bool> is_source_;  // graph input or initializer
};

}  // namespace finserve::runtime::onnx
