/-
Compatibility project for the DeepSeek-Prover-V1.5 / Goedel-Prover-V2 / STP miniF2F statements
(`shared/data/minif2f/minif2f_deepseek_v1.5.jsonl`, `minif2f_goedel_v2_test.jsonl`): Lean v4.9.0-rc1
with the Mathlib fork those papers pinned, and leanprover-community/repl at tag v4.9.0-rc1
(7df77c0a1c9188ab58c76d4138a06ae5e0c32282). Install with `prover setup-lean --variant v4.9`.

Known problem (DeepSeek-Prover-V1.5 issue #21): the fork's own lakefile requires its dependencies
at moving branches (`batteries @ "main"`, ...), so resolving it today can fetch versions that no
longer build with v4.9.0-rc1; that issue lists revisions that do. The Mathlib cache may also have
nothing for the fork, in which case `lake build` compiles Mathlib (hours). A lakefile.lean (not
.toml) because it is read by the Lake of v4.9.0-rc1.
-/
import Lake
open Lake DSL

package prover_lean_v4_9

require REPL from git "https://github.com/leanprover-community/repl" @ "7df77c0a1c9188ab58c76d4138a06ae5e0c32282"

require mathlib from git "https://github.com/xinhjBrant/mathlib4" @ "2f65ba7f1a9144b20c8e7358513548e317d26de1"
