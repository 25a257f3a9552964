//! Terminators: jumps, branches, switches, returns (through the result pointer
//! for aggregates), panics with their source location, traps.

use super::*;

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    pub(super) fn terminator(
        &mut self,
        cx: &mut FnCx<'a, 'ctx>,
        term: &Terminator,
    ) -> Result<(), Error> {
        match term {
            Terminator::Goto(target) => {
                self.builder.build_unconditional_branch(cx.blocks[target.index()])?;
            }
            Terminator::Branch { cond, then_block, else_block } => {
                let value = self.scalar_required(cx, cond)?;
                let flag = self.bool_to_i1(value)?;
                self.builder.build_conditional_branch(
                    flag,
                    cx.blocks[then_block.index()],
                    cx.blocks[else_block.index()],
                )?;
            }
            Terminator::Switch { value, cases, default } => {
                let scrutinee = self.scalar_required(cx, value)?.into_int_value();
                let ty = scrutinee.get_type();
                let cases: Vec<(IntValue<'ctx>, BasicBlock<'ctx>)> = cases
                    .iter()
                    .map(|(v, b)| (ty.const_int(*v as u64, true), cx.blocks[b.index()]))
                    .collect();
                self.builder.build_switch(scrutinee, cx.blocks[default.index()], &cases)?;
            }
            Terminator::Return(value) => {
                let returned = match value {
                    Some(operand) if is_aggregate(&self.operand_type(cx, operand)) => {
                        let slot = cx.ret_slot.expect("aggregate results have a slot");
                        self.store_operand(cx, slot, operand)?;
                        None
                    }
                    Some(operand) => self.scalar(cx, operand)?,
                    None => None,
                };
                match returned {
                    Some(v) => self.builder.build_return(Some(&v as &dyn BasicValue<'ctx>))?,
                    None => self.builder.build_return(None)?,
                };
            }
            Terminator::Panic { loc, message } => {
                let file = self.c_string(&loc.file);
                let message = self.scalar_required(cx, message)?;
                let i32_type = self.context.i32_type();
                self.call_rt(
                    RtFn::Panic,
                    &[
                        file.into(),
                        i32_type.const_int(u64::from(loc.line), false).into(),
                        i32_type.const_int(u64::from(loc.col), false).into(),
                        message.into(),
                    ],
                )?;
                self.builder.build_unreachable()?;
            }
            Terminator::Unreachable => {
                let trap = self.intrinsic("llvm.trap", &[])?;
                self.builder.build_call(trap, &[], "")?;
                self.builder.build_unreachable()?;
            }
            other => {
                return Err(Error::Unsupported(format!(
                    "{} ends with {other:?}: run the coroutine transform first",
                    cx.ir.name
                )));
            }
        }
        Ok(())
    }
}
