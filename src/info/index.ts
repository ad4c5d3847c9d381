// Information measures and bound functions (filled in by the information-theory module).
export {};
