#include "train/train_job.h"

#include "core/sha256.h"
#include "train/publish.h"

namespace finserve::train {

Result<TrainJobResult> RunTrainJob(const TrainJobInput& input, const TrainContext& context) {
  context.Progress(0.0, "reading data");
  FS_ASSIGN_OR_RETURN(CsvTable table, CsvTable::Parse(input.data, input.data_name, input.csv));
  TrainJobResult result;
  FS_ASSIGN_OR_RETURN(result.trained, TrainModel(table, Sha256Hex(input.data), input.spec, context));
  FS_RETURN_IF_ERROR(context.CheckCancelled());
  FS_ASSIGN_OR_RETURN(result.version, PublishVersion(input.repository, input.model, result.trained.files));
  return result;
}

}  // namespace finserve::train
