//! The `warroom` command: everything it does lives in the library's `cli`.

#![forbid(unsafe_code)]

fn main() {
    warroom::cli::main()
}
