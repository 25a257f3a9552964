//! Building the layout: one walk over the green tree that turns it into a flat list of
//! significant tokens, each with the gap before it, and the groups (bracketed lists and
//! blocks) that may be printed on one line or broken one element per line. The list
//! comes in parts, one top-level item at a time, each printed before the walk goes on.
//!
//! A gap is either canonical spacing (`None`, `Space`), a line of a group (after its
//! opening bracket, after a separator, before its closing bracket, between statements),
//! or a line break the user wrote where the layout keeps one (`Continue`). Each gap also
//! holds the comments and line breaks the source had there, so the printer can put every
//! comment back where it was. Separating and trailing commas of lists are tokens with a
//! condition (printed always, only when their group is broken, only when it is flat, or
//! never), which is how trailing commas appear in broken lists and vanish in flat ones.
//!
//! Here are decided the things that do not depend on widths: which groups must break
//! (the user broke them, a comment needs a line of its own, a block holds two
//! statements, a broken list is not the last element of its parent list). Widths are the
//! printer's job. This module must not produce text.

use rowan::{GreenNodeData, NodeOrToken};
use vex_syntax::SyntaxKind::{self, *};

/// "No group" in [`Token::opens`] and [`Token::closes`].
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// What separates a token from the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gap {
    /// The first token of the file.
    Start,
    /// Nothing.
    None,
    /// One space.
    Space,
    /// After the opening bracket of the group: a line break into the group when it is
    /// broken; nothing (parentheses) or a space (braces) when it is flat.
    Open(u32),
    /// After a separating comma of the group: a line break or a space.
    Sep(u32),
    /// Before the closing bracket of the group: a line break out of it or, flat, nothing
    /// (parentheses) or a space (braces).
    Close(u32),
    /// Between two statements or items of the group: always a line break.
    Hard(u32),
    /// A line break the source has here and the layout keeps (after a binary operator,
    /// before a `.` of a call chain, or needed by a comment), indented one step past the
    /// line where the current element starts. The flag is the spacing used when the
    /// comments end up on the same line as the token (`true`: a space).
    Continue(bool),
}

/// When a token is printed: commas of lists depend on the layout of their group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cond {
    Always,
    IfBroken(u32),
    IfFlat(u32),
    Never,
}

/// A significant token of the output.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token<'a> {
    pub(crate) text: &'a str,
    /// Width in characters (of the first line, for a token that spans lines).
    pub(crate) width: u32,
    /// For a token that spans lines (a string literal): the width of its last line.
    pub(crate) tail_width: Option<u32>,
    pub(crate) gap: Gap,
    /// The trivia of the gap before the token: `trivia[trivia_start..trivia_end]`.
    pub(crate) trivia_start: u32,
    pub(crate) trivia_end: u32,
    pub(crate) cond: Cond,
    /// The group this token opens (its opening bracket), or `NO_GROUP`.
    pub(crate) opens: u32,
    /// The group this token closes (its closing bracket), or `NO_GROUP`.
    pub(crate) closes: u32,
}

/// A piece of the source between two significant tokens that the output keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Trivia<'a> {
    /// This many line breaks (one whitespace run).
    Newlines(u32),
    /// A comment; `line` for `//` comments, which need a line break after them.
    Comment { text: &'a str, line: bool },
}

/// How a group looks when flat and where its line breaks go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GroupKind {
    /// `(a, b)`, `[a, b]`: nothing inside the brackets when flat.
    Paren,
    /// `{ x: 1, y }`, `{ a => b }`: spaces inside the braces when flat.
    Brace,
    /// `{ stmt }` and the file: statements separated by line breaks.
    Block,
}

/// A bracketed list or block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Group {
    pub(crate) kind: GroupKind,
    /// Broken whatever the width.
    pub(crate) forced: bool,
    /// Never broken for width (inside an f-string hole, or a list whose only element
    /// is a list of its own).
    pub(crate) no_break: bool,
    /// Groups `id + 1 ..= last_descendant` are nested inside this one.
    pub(crate) last_descendant: u32,
    /// For the blocks of an `if`/`elif`/`else` chain: the chain's first block, which
    /// decides for all of them (they break together); `NO_GROUP` otherwise.
    pub(crate) chain_head: u32,
}

/// A part of the file as tokens and trivia, with the groups of the file so far (see
/// [`Builder::next_part`]). Group 0 is the file itself.
#[derive(Debug)]
pub(crate) struct Layout<'a> {
    /// The tokens of the part, `tokens[..ready]`, then at most one token of the next
    /// part, which the printer may look at but not print.
    pub(crate) tokens: Vec<Token<'a>>,
    pub(crate) ready: usize,
    pub(crate) trivia: Vec<Trivia<'a>>,
    /// Every group opened so far, numbered from the start of the file.
    pub(crate) groups: Vec<Group>,
    /// In the last part: the trivia after the last token of the file.
    pub(crate) trailing: Option<(u32, u32)>,
}

/// How the elements of a group are separated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Commas {
    /// Statements or items: line breaks.
    None,
    /// Commas required between elements (`comma_list` in the grammar).
    List,
    /// Commas or line breaks (struct fields, variants, struct literal fields).
    Separated,
    /// Match and select arms: commas or line breaks, none after a block body when broken.
    Arms,
}

/// Builds the layout of a file that parsed without errors, in parts (see
/// [`Builder::next_part`]).
pub(crate) fn builder(root: &GreenNodeData) -> Builder<'_> {
    let layout = Layout {
        tokens: Vec::new(),
        ready: 0,
        trivia: Vec::new(),
        groups: Vec::new(),
        trailing: None,
    };
    let mut builder = Builder {
        layout,
        nodes: Vec::new(),
        open: Vec::new(),
        pending_start: 0,
        pending_newline: false,
        pending_break: false,
        pending_any: false,
        next_gap: Some(Gap::Start),
        prev: None,
        fstring_depth: 0,
        chain: Vec::new(),
    };
    builder.layout.groups.push(Group {
        kind: GroupKind::Block,
        forced: true,
        no_break: false,
        last_descendant: 0,
        chain_head: NO_GROUP,
    });
    builder.nodes.push(NodeFrame {
        kind: SOURCE_FILE,
        children: root.children(),
        group: 0,
        is_element: false,
        last_child: SOURCE_FILE,
        tokens: 0,
        chain_start: 0,
    });
    builder.open.push(OpenGroup::new(0, 0, GroupKind::Block, Commas::None));
    builder
}

struct NodeFrame<'a> {
    kind: SyntaxKind,
    children: rowan::Children<'a>,
    /// The group this node's bracket opened, or `NO_GROUP`.
    group: u32,
    /// This node is an element (statement, argument, arm, …) of the enclosing group.
    is_element: bool,
    /// The kind of the last child node finished.
    last_child: SyntaxKind,
    /// Significant tokens seen directly in this node.
    tokens: u32,
    /// For an `IF_EXPR`: where its blocks start in `Builder::chain`.
    chain_start: usize,
}

/// A group whose closing bracket has not been seen yet.
struct OpenGroup {
    id: u32,
    /// Index in `Builder::nodes` of the node whose child nodes are the elements.
    node: usize,
    kind: GroupKind,
    commas: Commas,
    elements: u32,
    /// The current element is followed by a separating comma.
    had_comma: bool,
    /// A line break is certain inside the current element.
    elem_forced: bool,
    /// A line break is certain somewhere inside the group.
    any_forced: bool,
    /// The last finished element is an arm whose body is a block.
    last_arm_block: bool,
    /// A one-element tuple, whose comma must stay.
    one_tuple: bool,
}

impl OpenGroup {
    fn new(id: u32, node: usize, kind: GroupKind, commas: Commas) -> OpenGroup {
        OpenGroup {
            id,
            node,
            kind,
            commas,
            elements: 0,
            had_comma: false,
            elem_forced: false,
            any_forced: false,
            last_arm_block: false,
            one_tuple: false,
        }
    }
}

pub(crate) struct Builder<'a> {
    layout: Layout<'a>,
    nodes: Vec<NodeFrame<'a>>,
    open: Vec<OpenGroup>,
    /// Trivia not yet attached to a token start here.
    pending_start: u32,
    /// The pending trivia hold a line break (a newline or a comment spanning lines).
    pending_newline: bool,
    /// The pending trivia hold a comment that needs a line break before or after it.
    pending_break: bool,
    /// There is any trivia (even a space) since the previous token.
    pending_any: bool,
    /// The gap of the next token, decided by the structure (group lines).
    next_gap: Option<Gap>,
    /// The previous significant token: its kind, its parent's kind and its text.
    prev: Option<(SyntaxKind, SyntaxKind, &'a str)>,
    fstring_depth: u32,
    /// The blocks of the `if` chains being built, innermost last.
    chain: Vec<u32>,
}

/// The group shape of a node kind: kind, separators, opening and closing bracket.
fn group_shape(
    kind: SyntaxKind,
    parent: SyntaxKind,
) -> Option<(GroupKind, Commas, SyntaxKind, SyntaxKind)> {
    let shape = match kind {
        ARG_LIST | TUPLE_EXPR | TUPLE_PAT | TUPLE_STRUCT_PAT => {
            (GroupKind::Paren, Commas::List, L_PAREN, R_PAREN)
        }
        PARAM_LIST if parent == FN => (GroupKind::Paren, Commas::List, L_PAREN, R_PAREN),
        ARRAY_EXPR => (GroupKind::Paren, Commas::List, L_BRACK, R_BRACK),
        RECORD_FIELD_LIST | VARIANT_LIST | RECORD_EXPR_FIELD_LIST => {
            (GroupKind::Brace, Commas::Separated, L_BRACE, R_BRACE)
        }
        MATCH_ARM_LIST | SELECT_ARM_LIST => (GroupKind::Brace, Commas::Arms, L_BRACE, R_BRACE),
        BLOCK_EXPR | ITEM_LIST => (GroupKind::Block, Commas::None, L_BRACE, R_BRACE),
        _ => return None,
    };
    Some(shape)
}

impl<'a> Builder<'a> {
    /// The next part of the layout to print, `None` after the last one.
    ///
    /// A part ends before a token on a line of the file's own group (the first token of
    /// a top-level item or statement), where nothing the printer decides depends on what
    /// follows: every group before it is closed, and measuring a group stops at such a
    /// line break. So the token list holds one item at a time and stays in the cache;
    /// for the whole file it was tens of megabytes, written once and read back.
    pub(crate) fn next_part(&mut self) -> Option<&Layout<'a>> {
        if self.layout.trailing.is_some() {
            return None;
        }
        self.forget_printed();
        while let Some(frame) = self.nodes.last_mut() {
            match frame.children.next() {
                Some(NodeOrToken::Node(node)) => self.enter(node),
                Some(NodeOrToken::Token(token)) => {
                    self.token(SyntaxKind::from_raw(token.kind().0), token.text());
                    if self.part_ends() {
                        self.layout.ready = self.layout.tokens.len() - 1;
                        return Some(&self.layout);
                    }
                }
                None => self.leave(),
            }
        }
        let end = self.layout.trivia.len() as u32;
        self.layout.trailing = Some((self.pending_start, end));
        self.layout.ready = self.layout.tokens.len();
        Some(&self.layout)
    }

    /// Whether the token just added starts a new part: it is on a line of the file's
    /// group, and the token before it is printed whatever the layout (so its trivia do
    /// not move on to the next part).
    fn part_ends(&self) -> bool {
        match self.layout.tokens.as_slice() {
            [.., before, last] => last.gap == Gap::Hard(0) && before.cond == Cond::Always,
            _ => false,
        }
    }

    /// Forgets the tokens and trivia of the part printed last.
    fn forget_printed(&mut self) {
        let ready = std::mem::take(&mut self.layout.ready);
        if ready == 0 {
            return;
        }
        self.layout.tokens.drain(..ready);
        let printed = self.layout.tokens.first().map_or(self.pending_start, |t| t.trivia_start);
        self.layout.trivia.drain(..printed as usize);
        for token in &mut self.layout.tokens {
            token.trivia_start -= printed;
            token.trivia_end -= printed;
        }
        self.pending_start -= printed;
    }

    fn enter(&mut self, node: &'a GreenNodeData) {
        let kind = SyntaxKind::from_raw(node.kind().0);
        let parent = self.nodes.len() - 1;
        let top = self.open.last().expect("the file group is always open");
        let is_element = top.node == parent && self.nodes[parent].group == top.id;
        if is_element {
            self.element_start();
        }
        if kind == FSTRING_EXPR {
            self.fstring_depth += 1;
        }
        self.nodes.push(NodeFrame {
            kind,
            children: node.children(),
            group: NO_GROUP,
            is_element,
            last_child: SyntaxKind::EOF,
            tokens: 0,
            chain_start: self.chain.len(),
        });
    }

    fn leave(&mut self) {
        let frame = self.nodes.pop().expect("leave without a node");
        if frame.kind == FSTRING_EXPR {
            self.fstring_depth -= 1;
        }
        if frame.kind == IF_EXPR {
            self.close_chain(frame.chain_start);
        }
        if frame.is_element
            && let Some(top) = self.open.last_mut()
        {
            top.last_arm_block = top.commas == Commas::Arms && frame.last_child == BLOCK_EXPR;
        }
        if let Some(parent) = self.nodes.last_mut() {
            parent.last_child = frame.kind;
        }
    }

    /// The blocks of an `if` chain break together: forced if one of them is.
    fn close_chain(&mut self, start: usize) {
        let blocks = &self.chain[start.min(self.chain.len())..];
        if blocks.len() >= 2 {
            let head = blocks[0];
            let forced = blocks.iter().any(|&id| self.layout.groups[id as usize].forced);
            // The first block is measured with all of them, as if they were one group.
            let last = blocks[blocks.len() - 1] as usize;
            let end = self.layout.groups[last].last_descendant;
            self.layout.groups[head as usize].last_descendant = end;
            for &id in blocks {
                let group = &mut self.layout.groups[id as usize];
                group.chain_head = head;
                group.forced |= forced;
            }
        }
        self.chain.truncate(start);
    }

    /// A new element of the innermost group starts: separate it from the previous one.
    fn element_start(&mut self) {
        let top = self.open.last_mut().expect("an open group");
        if top.elements > 0 {
            if top.elem_forced && top.kind == GroupKind::Paren {
                // A list broken inside an element other than its last one breaks too.
                self.layout.groups[top.id as usize].forced = true;
            }
            let id = top.id;
            match top.commas {
                Commas::None => self.next_gap = Some(Gap::Hard(id)),
                Commas::Separated | Commas::Arms => {
                    if !top.had_comma {
                        let cond = if top.last_arm_block { Cond::IfFlat(id) } else { Cond::Always };
                        self.virtual_comma(cond);
                    }
                    self.next_gap = Some(Gap::Sep(id));
                }
                Commas::List => {}
            }
        }
        let top = self.open.last_mut().expect("an open group");
        top.elements += 1;
        top.elem_forced = false;
        top.had_comma = false;
    }

    /// A comma the source does not have (or has elsewhere): no trivia of its own.
    fn virtual_comma(&mut self, cond: Cond) {
        let at = self.pending_start;
        self.layout.tokens.push(Token {
            text: ",",
            width: 1,
            tail_width: None,
            gap: Gap::None,
            trivia_start: at,
            trivia_end: at,
            cond,
            opens: NO_GROUP,
            closes: NO_GROUP,
        });
    }

    fn trivia(&mut self, kind: SyntaxKind, text: &'a str) {
        self.pending_any = true;
        match kind {
            NEWLINE => {
                let count = text.bytes().filter(|&b| b == b'\n').count() as u32;
                self.layout.trivia.push(Trivia::Newlines(count));
                self.pending_newline = true;
            }
            COMMENT | DOC_COMMENT => {
                let line = text.starts_with("//");
                let own_line = matches!(self.layout.trivia.last(), Some(Trivia::Newlines(_)))
                    && self.layout.trivia.len() as u32 > self.pending_start;
                let spans_lines = !line && text.contains('\n');
                if line || own_line || spans_lines {
                    self.pending_break = true;
                }
                if spans_lines {
                    self.pending_newline = true;
                }
                let text = if line { text.trim_end() } else { text };
                self.layout.trivia.push(Trivia::Comment { text, line });
            }
            _ => {}
        }
    }

    fn token(&mut self, kind: SyntaxKind, text: &'a str) {
        if kind.is_trivia() {
            self.trivia(kind, text);
            return;
        }
        let node_index = self.nodes.len() - 1;
        let parent_kind = self.nodes[node_index].kind;
        let grandparent = if node_index > 0 { self.nodes[node_index - 1].kind } else { EOF };

        // Does this token open a group (the node's opening bracket)?
        let shape = group_shape(parent_kind, grandparent);
        let mut opens = None;
        if self.nodes[node_index].group == NO_GROUP
            && let Some((group_kind, commas, open, _)) = shape
            && kind == open
        {
            opens = Some((group_kind, commas));
        }
        let top = self.open.last().expect("an open group");
        let in_top = top.node == node_index && self.nodes[node_index].group == top.id;
        let closes = in_top && top.id != 0 && shape.is_some_and(|shape| shape.3 == kind);
        let separator = in_top && kind == COMMA && top.commas != Commas::None;

        if closes {
            let top = self.open.last().expect("an open group");
            if top.commas != Commas::None && top.elements > 0 && !top.had_comma {
                if top.last_arm_block {
                    // No comma after a block body.
                } else {
                    let id = top.id;
                    self.virtual_comma(Cond::IfBroken(id));
                }
            }
        }

        let top = self.open.last().expect("an open group");
        let next_gap = self.next_gap.take();
        let mut gap = if closes {
            let has_comment = self.pending_comment();
            if top.elements == 0 && !has_comment { Gap::None } else { Gap::Close(top.id) }
        } else if separator {
            Gap::None
        } else if let Some(gap) = next_gap {
            gap
        } else if kind == SEMICOLON && in_top && top.kind == GroupKind::Block {
            Gap::None
        } else {
            let first_in_parent = self.nodes[node_index].tokens == 0;
            self.spacing(kind, parent_kind, text, first_in_parent)
        };

        // What the trivia force.
        match gap {
            Gap::Open(g) | Gap::Sep(g) | Gap::Close(g) => {
                if self.pending_newline || self.pending_break {
                    self.layout.groups[g as usize].forced = true;
                }
            }
            Gap::Hard(g) => self.layout.groups[g as usize].forced = true,
            Gap::None | Gap::Space => {
                let space = gap == Gap::Space;
                if self.pending_break
                    || (self.pending_newline
                        && self.fstring_depth == 0
                        && self.continuation_allowed(kind, parent_kind))
                {
                    gap = Gap::Continue(space);
                    let top = self.open.last_mut().expect("an open group");
                    top.elem_forced = true;
                    top.any_forced = true;
                }
            }
            Gap::Start | Gap::Continue(_) => {}
        }

        let cond = if separator { self.separator_cond(node_index) } else { Cond::Always };
        if separator {
            let top = self.open.last_mut().expect("an open group");
            if cond != Cond::Never {
                top.had_comma = true;
            }
            if top.elements > 0 {
                self.next_gap = Some(Gap::Sep(top.id));
            }
        }

        let end = self.layout.trivia.len() as u32;
        let (width, tail_width) = widths(text);
        self.layout.tokens.push(Token {
            text,
            width,
            tail_width,
            gap,
            trivia_start: self.pending_start,
            trivia_end: end,
            cond,
            opens: NO_GROUP,
            closes: NO_GROUP,
        });
        self.pending_start = end;
        self.pending_newline = false;
        self.pending_break = false;
        self.pending_any = false;
        self.prev = Some((kind, parent_kind, text));
        self.nodes[node_index].tokens += 1;

        if let Some((group_kind, commas)) = opens {
            let id = self.layout.groups.len() as u32;
            self.layout.groups.push(Group {
                kind: group_kind,
                forced: false,
                no_break: self.fstring_depth > 0,
                last_descendant: id,
                chain_head: NO_GROUP,
            });
            if parent_kind == BLOCK_EXPR
                && matches!(grandparent, IF_EXPR | ELIF_BRANCH | ELSE_BRANCH)
            {
                self.chain.push(id);
            }
            self.layout.tokens.last_mut().expect("just pushed").opens = id;
            self.nodes[node_index].group = id;
            let mut group = OpenGroup::new(id, node_index, group_kind, commas);
            if matches!(parent_kind, TUPLE_EXPR | TUPLE_PAT) {
                let frame = &self.nodes[node_index];
                let nodes = frame.children.clone().filter(|c| c.as_node().is_some()).count();
                group.one_tuple = nodes == 1;
            }
            self.open.push(group);
            self.next_gap = Some(Gap::Open(id));
        } else if closes {
            let group = self.open.pop().expect("an open group");
            let id = group.id as usize;
            let last = self.layout.groups.len() as u32 - 1;
            let forced = {
                let info = &mut self.layout.groups[id];
                info.last_descendant = last;
                if group.kind != GroupKind::Paren && group.any_forced {
                    info.forced = true;
                }
                // `f(g(x, y))`, `f([a, b])`: a list whose only element is itself a call,
                // an array, a tuple or a struct literal does not break for width; the
                // inner list does, so `f(g(` stays on the line.
                let only = self.nodes[node_index].last_child;
                if group.kind == GroupKind::Paren
                    && group.elements == 1
                    && !group.had_comma
                    && matches!(
                        only,
                        CALL_EXPR | METHOD_CALL_EXPR | ARRAY_EXPR | TUPLE_EXPR | RECORD_EXPR
                    )
                {
                    info.no_break = true;
                }
                info.forced
            };
            self.layout.tokens.last_mut().expect("just pushed").closes = group.id;
            if forced || group.any_forced {
                let parent = self.open.last_mut().expect("the file group");
                parent.elem_forced = true;
                parent.any_forced = true;
            }
        } else if kind == SEMICOLON && in_top && top_is_block(&self.open) {
            // A `;` between statements: the next statement starts a new line.
            let id = self.open.last().expect("an open group").id;
            self.next_gap = Some(Gap::Hard(id));
        }
    }

    /// Whether the pending trivia hold a comment.
    fn pending_comment(&self) -> bool {
        self.layout.trivia[self.pending_start as usize..]
            .iter()
            .any(|t| matches!(t, Trivia::Comment { .. }))
    }

    /// The condition of a comma separating elements of the innermost group.
    fn separator_cond(&self, node_index: usize) -> Cond {
        let top = self.open.last().expect("an open group");
        let id = top.id;
        if top.had_comma || top.elements == 0 {
            // A second comma in a row, or one before the first element (arm lists
            // allow both): a separator is already there.
            return Cond::Never;
        }
        let trailing = !self.nodes[node_index].children.clone().any(|c| c.as_node().is_some());
        let block_arm = top.commas == Commas::Arms && top.last_arm_block;
        match (trailing, block_arm) {
            (true, _) if top.one_tuple => Cond::Always,
            (true, true) => Cond::Never,
            (true, false) => Cond::IfBroken(id),
            (false, true) => Cond::IfFlat(id),
            (false, false) => Cond::Always,
        }
    }

    /// Whether a line break the user wrote before this token is kept: after a binary
    /// operator, after `=` of a `let` or `const` and `=>` of an arm (unless a block
    /// follows), and before the `.` of a field access or method call.
    fn continuation_allowed(&self, kind: SyntaxKind, parent: SyntaxKind) -> bool {
        let Some((prev, prev_parent, _)) = self.prev else { return false };
        match (prev, prev_parent) {
            (_, BIN_EXPR | SEND_EXPR) => return true,
            (EQ, LET_STMT | CONST) | (FAT_ARROW, _) if kind != L_BRACE => return true,
            _ => {}
        }
        kind == DOT && matches!(parent, FIELD_EXPR | METHOD_CALL_EXPR)
    }

    /// Canonical spacing between the previous token and this one.
    fn spacing(&self, kind: SyntaxKind, parent: SyntaxKind, text: &str, first: bool) -> Gap {
        let Some((prev, prev_parent, prev_text)) = self.prev else { return Gap::None };
        let space = spaced(prev, prev_parent, kind, parent, first);
        if space {
            return Gap::Space;
        }
        // Never glue two tokens that the source kept apart if gluing could make one
        // token of them (`- -x`, `a< -b`, two words).
        if self.pending_any && glue_risk(prev_text, text) {
            return Gap::Space;
        }
        Gap::None
    }
}

fn top_is_block(open: &[OpenGroup]) -> bool {
    open.last().is_some_and(|g| g.kind == GroupKind::Block)
}

/// Whether joining `left` and `right` without a space could lex differently.
fn glue_risk(left: &str, right: &str) -> bool {
    let (Some(a), Some(b)) = (left.chars().next_back(), right.chars().next()) else {
        return false;
    };
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '\'';
    let op = |c: char| "<>=!&|+-*/%^.?:".contains(c);
    (word(a) && word(b)) || (op(a) && op(b)) || (a == '/' || b == '/')
}

/// Width of a token's text (its first line) and, if it spans lines, of its last line.
fn widths(text: &str) -> (u32, Option<u32>) {
    // Nearly every token is a short run of ASCII on one line: one pass over its bytes.
    if text.bytes().all(|b| b.is_ascii() && b != b'\n') {
        return (text.len() as u32, None);
    }
    let count = |s: &str| if s.is_ascii() { s.len() as u32 } else { s.chars().count() as u32 };
    match text.find('\n') {
        None => (count(text), None),
        Some(first) => {
            let last = text.rfind('\n').unwrap_or(first);
            (count(&text[..first]), Some(count(&text[last + 1..])))
        }
    }
}

/// Whether a space separates the previous token (`prev` in a `prev_parent` node) from
/// the next one (`next` in `parent`), in the canonical layout.
fn spaced(
    prev: SyntaxKind,
    prev_parent: SyntaxKind,
    next: SyntaxKind,
    parent: SyntaxKind,
    next_is_first_in_parent: bool,
) -> bool {
    // f-strings: text parts are glued to their holes; `{ {` keeps a space, since `{{` is
    // an escaped brace.
    if matches!(prev, FSTRING_START | FSTRING_TEXT) || matches!(next, FSTRING_TEXT | FSTRING_END) {
        return false;
    }
    if prev == FSTRING_HOLE_OPEN {
        return next == L_BRACE;
    }
    if next == FSTRING_HOLE_CLOSE {
        return prev == R_BRACE;
    }
    if prev == FSTRING_HOLE_CLOSE {
        return false;
    }
    if next == FSTRING_HOLE_OPEN {
        return false;
    }
    match next {
        COMMA | R_PAREN | R_BRACK => return false,
        SEMICOLON => return false,
        COLON => return parent == TERNARY_EXPR,
        // `0 .25` is a (tuple) field of the integer literal 0: glued, it would be the float
        // `0.25` (a method, `3.toString()`, lexes glued; after a `.`, as in `t.0.1`, a
        // number has no fraction).
        DOT => return prev == INT_NUMBER && prev_parent == LITERAL && parent == FIELD_EXPR,
        QUESTION if parent == TRY_EXPR => return false,
        BANG if matches!(parent, LET_STMT | PARAM) => return false,
        L_ANGLE | R_ANGLE if matches!(parent, GENERIC_ARG_LIST | GENERIC_PARAM_LIST) => {
            return false;
        }
        L_PAREN
            if matches!(
                parent,
                ARG_LIST | PARAM_LIST | FN_TYPE_PARAM_LIST | TUPLE_FIELD_LIST | TUPLE_STRUCT_PAT
            ) =>
        {
            return false;
        }
        L_BRACK if parent == INDEX_EXPR => return false,
        DOT2 | DOT2EQ if parent == RANGE_EXPR => return !is_operand_end(prev),
        _ => {}
    }
    match prev {
        L_PAREN | L_BRACK => return false,
        // `0 .25` is a (tuple) field of the integer literal 0: glued, it would be the float
        // `0.25` (a method, `3.toString()`, lexes glued; after a `.`, as in `t.0.1`, a
        // number has no fraction).
        DOT => return prev == INT_NUMBER && prev_parent == LITERAL && parent == FIELD_EXPR,
        L_ANGLE if matches!(prev_parent, GENERIC_ARG_LIST | GENERIC_PARAM_LIST) => return false,
        DOT2 | DOT2EQ if prev_parent == RANGE_EXPR => return !is_operand_start(next),
        _ if matches!(prev_parent, PREFIX_EXPR | REF_TYPE | PTR_TYPE | LITERAL_PAT) => {
            return false;
        }
        BANG if prev_parent == PARAM => return false,
        _ => {}
    }
    // Closure parameters: `|x, y| body`; an empty `| |` stays two tokens. After the
    // opening pipe comes a parameter's name, after the closing one the body or `: T`.
    if prev == PIPE && prev_parent == PARAM_LIST && next != PIPE {
        return parent != NAME;
    }
    if next == PIPE && parent == PARAM_LIST && !next_is_first_in_parent {
        return prev == PIPE;
    }
    true
}

/// A name or a literal token: a whole operand by itself.
fn is_atom(kind: SyntaxKind) -> bool {
    matches!(kind, IDENT | BUILTIN_IDENT | INT_NUMBER | FLOAT_NUMBER | STRING | TRUE_KW | FALSE_KW)
}

fn is_operand_end(kind: SyntaxKind) -> bool {
    is_atom(kind) || matches!(kind, R_PAREN | R_BRACK | FSTRING_END | QUESTION)
}

fn is_operand_start(kind: SyntaxKind) -> bool {
    is_atom(kind) || matches!(kind, L_PAREN | L_BRACK | MINUS | FSTRING_START)
}
