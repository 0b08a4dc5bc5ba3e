// `main` is a free function: no `self`.
struct App;

impl App {
    #[ayutil::run_as_main]
    async fn main(self) {}
}

fn main() {}
