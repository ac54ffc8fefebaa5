// Enumerates every NAS-Bench-101 cell (nasbench's generate_graphs.py) and prints the unique count and the
// time. Usage: dotnet run -c Release --project bench/NasBench101Count [max-vertices=7] [max-edges=9] [threads] [--no-hash]
// --no-hash stops after grouping the labelled graphs by isomorphism (the hashes are most of the time).
using GptNas.Corpora.NasBench101;

var hashes = !args.Contains("--no-hash");
var numbers = args.Where(a => a != "--no-hash").Select(int.Parse).ToArray();
var maxVertices = numbers.Length > 0 ? numbers[0] : Cell.MaxVertices;
var maxEdges = numbers.Length > 1 ? numbers[1] : Cell.MaxEdges;
int? threads = numbers.Length > 2 ? numbers[2] : null;
Console.WriteLine($"enumerating cells up to {maxVertices} vertices and {maxEdges} edges on {threads ?? Environment.ProcessorCount} thread(s)"
                  + (hashes ? ", hashing each unique cell" : ", without hashes"));

var space = CellEnumerator.Enumerate(maxVertices, maxEdges, threads, hashes);
var cumulative = 0;
for (var n = 2; n <= maxVertices; n++)
{
    cumulative += space.UniqueByVertices[n];
    Console.WriteLine($"  up to {n} vertices: {cumulative,9:N0} unique");
}
Console.WriteLine($"labelled graphs {space.LabelledGraphs:N0}, unique cells {space.Count:N0}"
                  + (hashes ? " (all nasbench hashes distinct)" : "") + $", {space.Elapsed.TotalSeconds:F2} s");
var full = maxVertices == Cell.MaxVertices && maxEdges == Cell.MaxEdges;
if (full) Console.WriteLine(space.Count == 423_624 ? "matches NAS-Bench-101's 423,624" : "MISMATCH: NAS-Bench-101 has 423,624");
return !full || space.Count == 423_624 ? 0 : 1;
