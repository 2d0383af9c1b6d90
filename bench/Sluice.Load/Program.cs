using System.Diagnostics;
using System.Globalization;
using System.Net;
using Sluice.Load;

// A small SMTP load client: N concurrent sessions send M messages of a given size, pipelining
// MAIL/RCPT/DATA, optionally over STARTTLS. Loopback only; every count is bounded.
var options = LoadOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}
if (!IPAddress.IsLoopback(options.Server.Address))
{
    Console.Error.WriteLine("error: the load client only targets loopback addresses");
    return 2;
}

var stopwatch = Stopwatch.StartNew();
var result = options.HandshakesOnly
    ? await LoadRun.HandshakesAsync(options)
    : await LoadRun.MessagesAsync(options);
stopwatch.Stop();
var seconds = stopwatch.Elapsed.TotalSeconds;
var what = options.HandshakesOnly ? "handshakes" : "messages";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{result.Completed} {what} in {seconds:F2} s = {result.Completed / seconds:F0} {what}/s ({options.Sessions} sessions, {options.Size} bytes, tls={options.StartTls}); {result.Failed} failed"));
return result.Failed == 0 ? 0 : 1;
