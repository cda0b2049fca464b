using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using EtcdMaintenance.Samples.HostedService;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddEtcdMaintenance(builder.Configuration.GetSection("Etcd"));
builder.Services.AddHostedService<EtcdMaintenanceWorker>();
await builder.Build().RunAsync();
