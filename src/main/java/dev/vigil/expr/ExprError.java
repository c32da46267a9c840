package dev.vigil.expr;

/** Why an expression does not compile, at a 0-based character offset into its source. */
public record ExprError(int offset, String message) {}
