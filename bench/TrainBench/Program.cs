// Training speed and peak memory of gptnas against PyTorch (bench/peer/train_peer.py), one process per run,
// sides alternating. See bench/RESULTS.md for the numbers and the command.
//
//   TrainBench [--cases cnn32,cnn28,resnet18,gpt,data,rss-loop] [--pairs 5] [--sides gptnas,pytorch]
//              [--steps N] [--warmup N] [--threads 2] [--python /usr/bin/python3] [--peer bench/peer/train_peer.py]
//              [--contend] [--reference SIDE]   (ratios against --reference; default pytorch, else the last side)
//     sides: gptnas or pytorch with +modifiers (see Driver.Side), e.g. gptnas+bf16, pytorch+gptnas-omp-wait,
//            pytorch+equal (PyTorch at gptnas's settings), gptnas+dropout0 (the GPT without dropout)
//   TrainBench --case cnn32 [--side gptnas|pytorch] [--channels-last on|off] [--bf16 on|off]   one run, prints JSON
//   TrainBench --case cnn32 --profile [--channels-last on|off] [--bf16 on|off]                 time per phase of a step
//   TrainBench --case gpt --profile [--dropout 0]                                              the same for the GPT
//   TrainBench --case data            sampler rate against training rate
//   TrainBench --case rss-loop [--runs 100] [--gc] [--malloc-stats]   RSS over many short trainings in one process
//   TrainBench --case conv-check [--all]   float32 convolutions against float64, NCHW and channels-last (under ONEDNN_MAX_CPU_ISA=... to compare)
//   TrainBench --case accuracy [--seeds 0,1] [--epochs 3]   fashion-mnist-small test accuracy with channels-last / bf16 off and on
using GptNas.Bench;

var options = new Options(args);
var caseName = options.Get("case");
return caseName switch
{
    null => Driver.Run(options, args),
    "data" => DataCase.Run(options),
    "rss-loop" => RssLoop.Run(options),
    "accuracy" => AccuracyCase.Run(options),
    "conv-check" => ConvCheck.Run(options),
    _ when options.Has("profile") => Profiler.Run(BenchCase.Find(caseName), options),
    _ when options.Get("side", "gptnas") == "gptnas" => GptNasSide.Run(BenchCase.Find(caseName), options),
    _ => Driver.Run(new Options(["--cases", caseName, "--sides", options.Get("side")!, "--pairs", "1", .. options.Forward("steps", "warmup", "threads", "python", "peer")]), args),
};
