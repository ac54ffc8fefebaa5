using GptNas.Config;
using GptNas.Search;
using GptNas.Trials;

namespace GptNas.Tests;

public class ConfigTests
{
    [Fact]
    public void OverridesReachNestedSettings()
    {
        var config = ConfigOverrides.Apply(Presets.Get("quick"), ["ga.population=12", "proxy.training.epochs=3", "space.widths=8,16", "proxy.acceleration=predicted", "ga.reconstruct=false", "proxy.train_fraction=0.5"]);
        Assert.Equal(12, config.Ga.Population);
        Assert.Equal(3, config.Proxy.Training.Epochs);
        Assert.Equal([8, 16], config.Space.Widths);
        Assert.Equal(Acceleration.Predicted, config.Proxy.Acceleration);
        Assert.Equal(Acceleration.Full, Presets.Get("quick").Proxy.Acceleration);
        Assert.False(config.Ga.Reconstruct);
        Assert.Equal(0.5, config.Proxy.TrainFraction);
    }

    [Fact]
    public void ARecipeWritesItsSettingsWhereItIsSetAndALaterSettingWins()
    {
        var config = ConfigOverrides.Apply(Presets.Get("quick"), ["final.recipe=fast", "final.test_time_translate=0"]);
        Assert.Equal("fast", config.Final.Recipe);
        Assert.Equal(0, config.Final.TestTimeTranslate);
        Assert.True(config.Final.Lookahead && config.Final.AlternatingFlip && config.Final.CropReflect && config.Final.TestTimeFlip);
        Assert.Equal(0, config.Final.LabelSmoothing); // airbench's label smoothing is not in fast
        // What the recipe does not name stays the preset's: fast keeps the optimizer, batch and schedule.
        Assert.Equal(Training.ScheduleKind.Cosine, config.Final.Schedule);
        Assert.Equal((128, 0.05, 15), (config.Final.BatchSize, config.Final.LearningRate, config.Final.Epochs));
        // Only the training it was set on takes it.
        Assert.Equal("", config.Proxy.Training.Recipe);
        Assert.False(config.Proxy.Training.Lookahead);
        Assert.Empty(config.Validate());
        var error = Assert.Throws<GptNasException>(() => ConfigOverrides.Apply(Presets.Get("quick"), ["proxy.training.recipe=slow"]));
        Assert.Contains("unknown recipe; known: fast, airbench", error.Message);
    }

    [Fact]
    public void TheAirbenchRecipeIsTheFastOnePlusLabelSmoothingAndAirbenchsOptimizerBatchNormAndInitialization()
    {
        var config = ConfigOverrides.Apply(Presets.Get("quick"), ["final.recipe=airbench"]).Final;
        Assert.True(config.Lookahead && config.AlternatingFlip && config.CropReflect && config.TestTimeFlip);
        Assert.Equal(0.2, config.LabelSmoothing);
        Assert.Equal((1024, 1.5, Training.ScheduleKind.Linear), (config.BatchSize, config.LearningRate, config.Schedule));
        Assert.True(config.BatchNormFrozenScale);
        Assert.Equal(64, config.BatchNormBiasLrScale);
        Assert.True(config.DiracInit);
        Assert.False(ConfigOverrides.Apply(Presets.Get("quick"), ["final.recipe=fast"]).Final.DiracInit);
    }

    [Fact]
    public void UnknownKeyIsRefusedAndNamed()
    {
        var error = Assert.Throws<GptNasException>(() => ConfigOverrides.Apply(Presets.Get("quick"), ["ga.populaton=12"]));
        Assert.Contains("unknown key 'ga.populaton'", error.Message);
    }

    [Fact]
    public void WrongTypeIsRefused()
    {
        Assert.Throws<GptNasException>(() => ConfigOverrides.Apply(Presets.Get("quick"), ["ga.population=many"]));
        Assert.Throws<GptNasException>(() => ConfigOverrides.Apply(Presets.Get("quick"), ["proxy.acceleration=sometimes"]));
        Assert.Throws<GptNasException>(() => ConfigOverrides.Apply(Presets.Get("quick"), ["ga"]));
    }

    [Fact]
    public void PaperPresetHasThePapersNumbers()
    {
        var paper = Presets.Get("paper");
        Assert.Equal(30, paper.Ga.Population);
        Assert.Equal(20, paper.Ga.Generations);
        Assert.Equal(0.9, paper.Ga.CrossoverProbability);
        Assert.Equal(0.3, paper.Ga.MutationProbability);
        Assert.Equal(0.4, paper.Ga.EliminationRate);
        Assert.Equal(6, paper.Proxy.Training.Epochs);
        Assert.Equal(350, paper.Final.Epochs);
        Assert.Equal(Acceleration.Predicted, paper.Proxy.Acceleration);
        Assert.Equal("paper", paper.Prior.Path); // the shipped prior with the paper's GPT shape
    }

    [Fact]
    public void UnknownPresetListsTheNames()
    {
        var error = Assert.Throws<GptNasException>(() => Presets.Get("fast"));
        Assert.Contains("quick, paper, smoke", error.Message);
    }

    [Fact]
    public void AStudyStoredBeforeTheOnlinePriorResumesWithTheDefaults()
    {
        foreach (var preset in Presets.Names)
        {
            var current = System.Text.Json.Nodes.JsonNode.Parse(GptNasJson.Serialize(Presets.Get(preset)))!.AsObject();
            var prior = current["prior"]!.AsObject();
            foreach (var key in prior.Select(p => p.Key).Where(k => k.StartsWith("online", StringComparison.Ordinal)).ToList()) prior.Remove(key);
            Assert.Empty(ConfigDiff.Between(current.ToJsonString(), GptNasJson.Serialize(Presets.Get(preset))));
        }
        var online = ConfigOverrides.Apply(Presets.Get("quick"), ["prior.online=true"]);
        Assert.Equal((8, 5, 5e-4), (online.Prior.OnlineTopKInEffect(), online.Prior.OnlineEpochsInEffect(), online.Prior.OnlineLearningRateInEffect()));
        var refused = Assert.Throws<GptNasException>(() => (online with { Strategy = SearchStrategyKind.Random }).Validate());
        Assert.Contains("prior.online=true", refused.Message);
        var both = Assert.Throws<GptNasException>(() => ConfigOverrides.Apply(Presets.Get("quick"), ["prior.online=true", "prior.uniform=true"]).Validate());
        Assert.Contains("set one of them", both.Message);
        var counts = Assert.Throws<GptNasException>(() => ConfigOverrides.Apply(Presets.Get("quick"), ["prior.counts=true", "prior.uniform=true"]).Validate());
        Assert.Contains("prior.counts=true", counts.Message);
    }

    [Fact]
    public void AStudyStoredBeforeASettingExistedResumesWhileTheSettingIsAtZero()
    {
        const string stored = """{"proxy":{"epochs":2}}""";
        Assert.Empty(ConfigDiff.Between(stored, """{"proxy":{"epochs":2,"max_train_images":0}}"""));
        Assert.Equal(["proxy.max_train_images: (none) -> 5400"], ConfigDiff.Between(stored, """{"proxy":{"epochs":2,"max_train_images":5400}}"""));
        Assert.Equal(["proxy.epochs: 2 -> 3"], ConfigDiff.Between(stored, """{"proxy":{"epochs":3}}"""));
        // A setting the study has and the given config lacks is always a difference.
        Assert.Equal(["proxy.epochs: 2 -> (none)"], ConfigDiff.Between(stored, """{"proxy":{}}"""));
        // An enum setting is at zero at its first member: a GA stored before ga.selection resumes with roulette, not with tournament.
        Assert.Empty(ConfigDiff.Between("""{"ga":{"population":8}}""", """{"ga":{"population":8,"selection":"roulette"}}"""));
        Assert.Equal(["ga.selection: (none) -> \"tournament\""], ConfigDiff.Between("""{"ga":{"population":8}}""", """{"ga":{"population":8,"selection":"tournament"}}"""));
        Assert.Equal("\"roulette\"", GptNasJson.Serialize(EnvironmentalSelection.Roulette));
    }

    [Fact]
    public void TheStrategySettingIsGaUnlessSetAndAnOldStudyResumesAsGa()
    {
        var quick = Presets.Get("quick");
        Assert.Equal(SearchStrategyKind.Ga, quick.Strategy);
        Assert.Equal(SearchStrategyKind.Random, ConfigOverrides.Apply(quick, ["strategy=random"]).Strategy);
        const string stored = """{"seed":0}""";
        Assert.Empty(ConfigDiff.Between(stored, """{"seed":0,"strategy":"ga"}"""));
        Assert.Equal(["strategy: (none) -> \"random\""], ConfigDiff.Between(stored, """{"seed":0,"strategy":"random"}"""));
    }

    [Theory]
    [InlineData("quick")]
    [InlineData("paper")]
    [InlineData("smoke")]
    public void PresetsAreValidWithoutWarnings(string preset) => Assert.Empty(Presets.Get(preset).Validate());

    [Fact]
    public void ValidateNamesEveryBadKeyInOneLine()
    {
        var config = ConfigOverrides.Apply(Presets.Get("smoke"), ["ga.population=1", "space.widths=", "space.min_blocks=9", "prior.top_k=-1"]);
        var error = Assert.Throws<GptNasException>(() => config.Validate());
        Assert.DoesNotContain('\n', error.Message);
        foreach (var key in new[] { "ga.population", "space.widths", "space.min_blocks (9) must be at most space.max_blocks (4)", "prior.top_k" })
            Assert.Contains(key, error.Message);
    }

    [Fact]
    public void LegalButUnlikelySettingsWarn()
    {
        var config = ConfigOverrides.Apply(Presets.Get("smoke"), ["final.warmup_epochs=3", "prior.temperature=10", "final.crop_padding=20"]);
        var warnings = config.Validate().Concat(config.Warnings(new Architectures.Shape(1, 28, 28))).ToList();
        Assert.Contains(warnings, w => w.StartsWith("final.warmup_epochs 3 is longer than the 1 epochs", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("prior.temperature 10", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("final.crop_padding 20 on 28x28 images", StringComparison.Ordinal));
    }
}

