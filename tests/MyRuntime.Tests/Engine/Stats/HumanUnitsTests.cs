using MyRuntime.Engine.Stats;

namespace MyRuntime.Tests.Engine.Stats;

public class HumanUnitsTests
{
    [Theory]
    [InlineData(0, 3, "0")]
    [InlineData(1, 3, "1")]
    [InlineData(1.5, 3, "1.5")]
    [InlineData(1.2345, 3, "1.23")]
    [InlineData(1.2355, 4, "1.236")]
    [InlineData(100, 3, "100")]
    [InlineData(999.4, 3, "999")]
    [InlineData(999.5, 3, "1e+03")]
    [InlineData(1234.5, 4, "1234")]
    [InlineData(0.0001234, 3, "0.000123")]
    [InlineData(0.00001234, 3, "1.23e-05")]
    [InlineData(12345678, 3, "1.23e+07")]
    public void GoG_MatchesGosPercentG(double value, int precision, string expected) =>
        Assert.Equal(expected, HumanUnits.GoG(value, precision));

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(512, "512B")]
    [InlineData(1024, "1KiB")]
    [InlineData(1293942, "1.234MiB")]
    [InlineData(8160437862, "7.6GiB")]
    [InlineData(8164000000, "7.603GiB")]
    [InlineData(1048575, "1024KiB")]
    public void BytesSize_IsBinaryWithFourDigits(double size, string expected) =>
        Assert.Equal(expected, HumanUnits.BytesSize(size));

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(1000, "1kB")]
    [InlineData(1234, "1.23kB")]
    [InlineData(1200, "1.2kB")]
    [InlineData(45600000, "45.6MB")]
    [InlineData(999999, "1e+03kB")]
    [InlineData(3e12, "3TB")]
    public void HumanSize_IsDecimalWithThreeDigits(double size, string expected) =>
        Assert.Equal(expected, HumanUnits.HumanSize(size));
}
