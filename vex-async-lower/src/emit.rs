//! Text outputs for tools: `vex emit ir`, `vex emit async-ir` and `--dot`.
//!
//! Each helper takes the database and returns text; the CLI only prints it.

use std::fmt::Write as _;

use vex_hir::Db;

use crate::ir::{Function, FunctionKind, Module, Terminator};
use crate::queries::{module_built, module_ir};

/// The IR before the coroutine transform.
pub fn emit_ir(db: &dyn Db) -> String {
    module_built(db).to_string()
}

/// The IR after the coroutine transform: what a backend consumes.
pub fn emit_async_ir(db: &dyn Db) -> String {
    module_ir(db).to_string()
}

/// Graphviz of every state machine (each resume function's CFG; suspension edges
/// dashed, the dispatch switch highlighted).
pub fn emit_dot(db: &dyn Db) -> String {
    dot_module(&module_ir(db))
}

/// Graphviz of the resume functions of a module.
pub fn dot_module(module: &Module) -> String {
    let mut out = String::from("digraph vex {\n  node [shape=box, fontname=monospace];\n");
    for f in module.functions.iter().filter(|f| matches!(f.kind, FunctionKind::Resume { .. })) {
        dot_function(f, &mut out);
    }
    out.push_str("}\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\l")
}

fn dot_function(f: &Function, out: &mut String) {
    let id = f.name.replace(['.', ':'], "_");
    let _ = writeln!(out, "  subgraph cluster_{id} {{\n    label=\"{}\";", escape(&f.name));
    for (i, block) in f.blocks.iter().enumerate() {
        let mut label = format!("bb{i}:\n");
        for stmt in &block.stmts {
            let _ = writeln!(label, "{stmt}");
        }
        let _ = writeln!(label, "{}", block.term);
        let style = if i == 0 { ", style=filled, fillcolor=lightblue" } else { "" };
        let _ = writeln!(out, "    {id}_{i} [label=\"{}\"{style}];", escape(&label));
        for (n, target) in block.term.successors().iter().enumerate() {
            let edge = match &block.term {
                Terminator::Switch { cases, .. } if n < cases.len() => {
                    format!(" [label=\"{}\", style=dashed]", cases[n].0)
                }
                _ => String::new(),
            };
            let _ = writeln!(out, "    {id}_{i} -> {id}_{}{edge};", target.0);
        }
    }
    out.push_str("  }\n");
}
