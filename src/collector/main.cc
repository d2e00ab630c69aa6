// Placeholder: the collector helper replaces this file.
int main() { return 0; }
