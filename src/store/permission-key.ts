/** How the memory and Redis stores key a permission: users and groups of the same name stay apart. */
export function permissionKey(principal: string, group: boolean): string {
  return `${group ? 'g' : 'u'}:${principal}`;
}
