// Placeholder entry point so the solution builds on the protocol branch; replaced on merge.
return 0;
