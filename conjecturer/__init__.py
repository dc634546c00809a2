"""STP-style self-play: conjecture from seed theorems, prove, keep the barely provable, train both roles."""
