/** `com.vmware.vapi.std.localizable_message`, in its wire field names. */
export interface LocalizableMessage {
  id: string;
  default_message: string;
  args: string[];
  params?: Record<string, LocalizationParam>;
  localized?: string;
}

/** `com.vmware.vapi.std.localization_param`: exactly one value field is set. */
export interface LocalizationParam {
  s?: string;
  dt?: Date;
  i?: number;
  d?: number;
  l?: { id: string; params?: Record<string, LocalizationParam> };
  format?: string;
  precision?: number;
}

export function message(id: string, defaultMessage: string, args: string[] = []): LocalizableMessage {
  return { id, default_message: defaultMessage, args };
}
