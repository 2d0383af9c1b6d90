if true { keep; } }{ "unterminated
/* open comment