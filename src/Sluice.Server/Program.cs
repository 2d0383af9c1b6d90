// Placeholder entry point so the test project builds on the `store` branch; replaced on merge.
return 0;
