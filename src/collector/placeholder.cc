// Placeholder: the collector helper replaces this file.
