using GptNas.Data.Formats;

namespace GptNas.Data.Tests;

public class ImageFolderTests
{
    /// <summary>train/{zebra,ant,cat} and test/{ant,zebra}: each image's red value tells its class folder.</summary>
    private static void WriteFolders(TempFolder temp, string root)
    {
        temp.WritePng($"{root}/train/zebra/a.png", 4, 3, 30, 1, 2);
        temp.WritePng($"{root}/train/ant/b.png", 4, 3, 10, 1, 2, corner: 200);
        temp.WritePng($"{root}/train/ant/a.png", 4, 3, 10, 5, 6);
        temp.WritePng($"{root}/train/cat/x.png", 4, 3, 20, 1, 2);
        temp.WritePng($"{root}/test/zebra/q.png", 4, 3, 30, 1, 2);
        temp.WritePng($"{root}/test/ant/q.png", 4, 3, 10, 1, 2);
        temp.Write($"{root}/train/cat/notes.txt", [1, 2, 3]); // not an image: ignored
    }

    private static void AssertDecoded(DataSplits splits)
    {
        Assert.Equal(["ant", "cat", "zebra"], splits.Train.ClassNames);  // ordinal order = class id
        Assert.Equal([0, 0, 1, 2], splits.Train.Labels);                 // class by class, files by name
        Assert.Equal([0, 2], splits.Test.Labels);
        Assert.Equal((3, 3, 4), (splits.Train.Channels, splits.Train.Height, splits.Train.Width));
        // Image 0 is ant/a.png: planes red 10, green 5, blue 6, except the black corner pixel (0, 0).
        var image = splits.Train.Image(0);
        Assert.Equal([0, 0, 0], new[] { image[0], image[12], image[24] });
        Assert.True(image[1..12].ToArray().All(v => v == 10));
        Assert.True(image[13..24].ToArray().All(v => v == 5));
        Assert.True(image[25..36].ToArray().All(v => v == 6));
        Assert.Equal(200, splits.Train.Image(1)[0]); // ant/b.png's red corner
        Assert.Equal(30, splits.Train.Image(3)[5]);
    }

    [Fact]
    public void Folder_of_pngs_gets_alphabetical_class_ids()
    {
        using var temp = new TempFolder();
        WriteFolders(temp, "images");
        AssertDecoded(ImageFolderFormat.Load(temp["images"], temp.Options()));
    }

    [Fact]
    public void Tar_gz_of_the_same_layout_decodes_the_same()
    {
        using var temp = new TempFolder();
        WriteFolders(temp, "pack/images"); // archive members: images/train/..., found below one folder
        var archive = temp.TarGz("pack", "images.tar.gz");
        AssertDecoded(DataCatalog.Load(archive, temp.Options()));
    }

    [Fact]
    public void Images_of_another_size_are_resized_to_the_first()
    {
        using var temp = new TempFolder();
        temp.WritePng("images/train/a/1.png", 4, 4, 50, 60, 70);
        temp.WritePng("images/train/b/1.png", 8, 8, 50, 60, 70);
        temp.WritePng("images/test/a/1.png", 2, 2, 50, 60, 70);
        var splits = ImageFolderFormat.Load(temp["images"], temp.Options());
        Assert.Equal((4, 4), (splits.Test.Height, splits.Test.Width));
        Assert.Contains("(1 resized to 4x4)", splits.Train.Source);
        Assert.InRange(splits.Train.Image(1)[15], 45, 55); // a flat colour stays about the same
    }

    [Fact]
    public void Val_folder_becomes_the_validation_split()
    {
        using var temp = new TempFolder();
        WriteFolders(temp, "images");
        temp.WritePng("images/val/cat/v.png", 4, 3, 20, 1, 2);
        var splits = DataCatalog.Load(temp["images"], temp.Options(validation: 0.5));
        Assert.Equal([1], splits.Validation!.Labels);
        Assert.Equal(4, splits.Train.Count); // the fraction is ignored: the source has its own split
    }

    [Fact]
    public void Empty_class_folder_is_an_error()
    {
        using var temp = new TempFolder();
        WriteFolders(temp, "images");
        Directory.CreateDirectory(temp["images/train/dog"]);
        var e = Assert.Throws<DataException>(() => ImageFolderFormat.Load(temp["images"], temp.Options()));
        Assert.Equal($"'{temp["images"]}': train/dog/ has no .jpg, .jpeg or .png images; remove the empty class folder or add its images", e.Message);
    }

    [Fact]
    public void Empty_class_folder_in_an_archive_is_an_error()
    {
        using var temp = new TempFolder();
        WriteFolders(temp, "images");
        Directory.CreateDirectory(temp["images/test/cat"]);
        var archive = temp.TarGz("images", "images.tgz");
        var e = Assert.Throws<DataException>(() => DataCatalog.Load(archive, temp.Options()));
        Assert.Equal("images.tgz: test/cat/ has no .jpg, .jpeg or .png images; remove the empty class folder or add its images", e.Message);
    }

    [Fact]
    public void Empty_folder_is_an_error()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["empty"]);
        var e = Assert.Throws<DataException>(() => DataCatalog.Load(temp["empty"], temp.Options()));
        Assert.StartsWith($"'{temp["empty"]}' holds no data set gptnas reads: expected IDX files", e.Message);
    }

    [Fact]
    public void Train_without_classes_is_an_error()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["images/train"]);
        Directory.CreateDirectory(temp["images/test"]);
        var e = Assert.Throws<DataException>(() => ImageFolderFormat.Load(temp["images"], temp.Options()));
        Assert.StartsWith($"'{temp["images"]}': no train/<class>/ image folders found", e.Message);
    }

    [Fact]
    public void Test_class_unknown_to_train_is_an_error()
    {
        using var temp = new TempFolder();
        WriteFolders(temp, "images");
        temp.WritePng("images/test/yak/1.png", 4, 3, 1, 1, 1);
        var e = Assert.Throws<DataException>(() => ImageFolderFormat.Load(temp["images"], temp.Options()));
        Assert.Contains("test/yak/ is not a class of train/", e.Message);
    }

    [Fact]
    public void Undecodable_image_is_named()
    {
        using var temp = new TempFolder();
        WriteFolders(temp, "images");
        temp.Write("images/train/cat/y.jpg", [1, 2, 3, 4]);
        var e = Assert.Throws<DataException>(() => ImageFolderFormat.Load(temp["images"], temp.Options()));
        Assert.Equal("train/cat/y.jpg: not a decodable JPEG or PNG image (unknown format); delete or replace the file", e.Message);
    }
}
