//! `hearsay serve`.

use std::net::SocketAddr;

use anyhow::Context;

use super::Cli;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

pub fn run(cli: &Cli, args: &ServeArgs) -> anyhow::Result<()> {
    let config = cli.load_config(args.listen)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let served = runtime.block_on(crate::server::serve(config));
    // The queue is on disk by now; reads still running on blocking threads
    // (a long report) are not waited for.
    runtime.shutdown_background();
    served
}
